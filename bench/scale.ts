/**
 * bench/scale: the interactive commands cost the same at any shop size.
 *
 * One process, one server, one database, two phases of the same command mix through
 * `core.handle`, each call timed by command kind:
 * - phase A (small): 10 customers, created with `lead` commands;
 * - phase B (large): the same database bulk-loaded (raw driver `insertMany`, ≤ 1,000 documents
 *   per insert) up to 20,000 customers and 100,000 orders, with their contact keys, some
 *   interactions and running totals shaped like the app's, the counters set past them.
 *
 * A round is: `lead` of a new person, `lead` repeating a known phone, `find` by phone, e-mail and
 * C-number, the customer card, `order`, `order status` of that order, a customer's free-text
 * message (stored, staff notified through the RoutingNotifier's real identity lookups), a button
 * press (`customer C…`), `followup`, `followups`, `followup done`. Staff commands come from a
 * salesperson on Telegram (invited by the console owner), messages from Telegram customers who
 * linked themselves to random customers of the phase by sharing their phone. Customers are
 * picked with a seeded RNG from those of the current phase. Untimed warm-up rounds precede each
 * phase. Replies are checked (the expected C/O/F reference in them), and afterwards the order
 * counts of the customers that got orders are compared with the orders collection.
 *
 * Target: with 20,000 customers and 100,000 orders, all commands pooled, p50 ≤ 2× and p95 ≤ 3×
 * the figures with 10 customers.
 *
 *   npm run bench -- scale [--customers 20000] [--orders 100000] [--rounds 200] [--warmup 10] [--seed 7] [--monitor]
 *
 * `--monitor` reconnects with MongoDB command monitoring and lists, per command kind and phase,
 * the commands whose filter is not exactly `{_id: …}` with their mean duration (and the number
 * of commands per call): what to look at when a command is slower at scale. It costs a little
 * time per command, in both phases alike.
 */
import { performance } from 'node:perf_hooks';
import mongoose, { Types } from 'mongoose';
import type { CommandFailedEvent, CommandStartedEvent, CommandSucceededEvent } from 'mongodb';
import { ContactKey } from '../models/contact-key.js';
import { Counter } from '../models/counter.js';
import { Customer } from '../models/customer.js';
import { Identity } from '../models/identity.js';
import { Interaction } from '../models/interaction.js';
import { Order } from '../models/order.js';
import { loadConfig } from '../src/config.js';
import { createApp } from '../src/app.js';
import { foldName } from '../src/values/names.js';
import type { Incoming, Platform, PlatformSender, Reply } from '../src/core/types.js';
import { connectMongoose, disconnectMongoose } from '../src/db/index.js';
import { silentLogger } from '../src/log.js';
import { RoutingNotifier } from '../src/services/notifier.js';
import { monthKey } from '../src/services/order-months.js';
import { numberFlag, percentile, sampleMemory, withBenchDatabase } from './support.js';
import { filtersOf, isExactId, shapeOf } from '../tests/support/command-monitor.js';
import { seededRandom } from '../tests/support/rng.js';

const targetCustomers = numberFlag('customers', 20_000);
const targetOrders = numberFlag('orders', 100_000);
const rounds = numberFlag('rounds', 200);
const warmupRounds = numberFlag('warmup', 10);
const seed = numberFlag('seed', 7);
const monitor = process.argv.includes('--monitor');
const SMALL_CUSTOMERS = 10;
const CUSTOMER_USERS = 4;
const BATCH = 1000;
const DAY = 86_400_000;

const KINDS = [
  'lead new',
  'lead repeat',
  'find phone',
  'find e-mail',
  'find C-number',
  'customer card',
  'order',
  'order status',
  'customer message',
  'button press',
  'followup',
  'followups',
  'followup done',
] as const;
type Kind = (typeof KINDS)[number];

/** A customer of a phase, with what people type to find them. */
interface Known {
  id: string;
  /** National format, e.g. `0900012345`. */
  phone: string;
  email: string;
}

interface Who {
  platform: Platform;
  userId: string;
  displayName: string;
}

interface Phase {
  name: string;
  customers: Known[];
  users: Who[];
  lat: Map<Kind, number[]>;
}

const rng = seededRandom(seed); // both phases (and reruns) pick the same way
const pick = <T>(list: readonly T[]): T => list[Math.floor(rng() * list.length)]!;

const NAMES = ['Nguyễn Văn An', 'Trần Thị Bích', 'Lê Hoàng Minh', 'Phạm Thu Hà', 'Hoàng Đức Long', 'Vũ Thị Lan', 'Đặng Quốc Bảo', 'Bùi Thị Mai'];
const TAGS = ['vip', 'wholesale', 'retail', 'expo', 'zalo'];
const ITEMS = ['áo dài', 'khăn lụa', 'nón lá', 'túi cói', 'váy hoa'];

const pad = (n: number, width: number) => String(n).padStart(width, '0');
/** Bulk-loaded customer number n: phone 090xxxxxxx, e-mail c<n>@bench.vn. */
const bulkPhone = (n: number) => `090${pad(n, 7)}`;
const bulkEmail = (n: number) => `c${n}@bench.vn`;
const e164 = (national: string) => `+84${national.slice(1)}`;
/** "0900012345" → "+84 900 012 345": a known phone typed another way. */
const spaced = (national: string) => `+84 ${national.slice(1, 4)} ${national.slice(4, 7)} ${national.slice(7)}`;
const textOf = (replies: Reply[]) => replies.map((r) => (r.kind === 'text' ? r.text : '')).join('\n');

await withBenchDatabase('scale', async ({ uri, dbName, kind: serverKind }) => {
  const memory = sampleMemory();
  const began = performance.now();
  const progress = (what: string) => process.stderr.write(`bench/scale: ${what} (${((performance.now() - began) / 1000).toFixed(0)} s)\n`);
  if (monitor) {
    await disconnectMongoose();
    await connectMongoose(`${uri}${uri.includes('?') ? '&' : '?'}monitorCommands=true`, dbName);
  }

  // --- command monitoring (--monitor): non-`_id` filters per phase and command kind ---
  let current: { phase: string; kind: Kind } | undefined;
  const commandsPer = new Map<string, number>(); // `${phase}|${kind}` → commands sent
  const offenders = new Map<string, { count: number; ms: number }>(); // `${phase}|${kind}|${signature}`
  const pending = new Map<number, string>();
  if (monitor) {
    const client = mongoose.connection.getClient();
    client.on('commandStarted', (e: CommandStartedEvent) => {
      if (!current) return;
      const at = `${current.phase}|${current.kind}`;
      commandsPer.set(at, (commandsPer.get(at) ?? 0) + 1);
      for (const sig of nonIdFilters(e)) pending.set(e.requestId, `${at}|${sig}`);
    });
    const done = (e: CommandSucceededEvent | CommandFailedEvent) => {
      const key = pending.get(e.requestId);
      if (key === undefined) return;
      pending.delete(e.requestId);
      const o = offenders.get(key) ?? { count: 0, ms: 0 };
      o.count++;
      o.ms += e.duration;
      offenders.set(key, o);
    };
    client.on('commandSucceeded', done);
    client.on('commandFailed', done);
  }

  // --- the core, with senders that deliver nowhere but count ---
  const sent: Record<string, number> = { console: 0, telegram: 0 };
  const quiet = (platform: Platform): PlatformSender => ({
    platform,
    send: async () => {
      sent[platform] = (sent[platform] ?? 0) + 1;
      return { ok: true, platform };
    },
  });
  const config = loadConfig({ LOG_LEVEL: 'silent' }, { envFile: null });
  const core = createApp({ config, notifier: new RoutingNotifier([quiet('console'), quiet('telegram')]), log: silentLogger(), now: () => new Date() });
  let delivery = 0;
  const send = (who: Who, text: string, extra: Partial<Incoming> = {}): Promise<Reply[]> =>
    core.handle({ platform: who.platform, userId: who.userId, chatId: who.userId, displayName: who.displayName, text, deliveryId: `scale:${++delivery}`, ...extra });
  const say = async (who: Who, text: string, extra: Partial<Incoming> = {}) => textOf(await send(who, text, extra));

  const owner: Who = { platform: 'console', userId: 'owner', displayName: 'Owner' };
  const lan: Who = { platform: 'telegram', userId: '2001', displayName: 'Lan' };
  const problems: string[] = [];
  const seqOf = async (name: 'customer' | 'order') => (await Counter.findById(name).lean<{ seq: number }>())?.seq ?? 0;
  const expect = (what: string, reply: string, pattern: RegExp): RegExpExecArray | null => {
    const m = pattern.exec(reply);
    if (!m) problems.push(`${what}: ${JSON.stringify(reply.slice(0, 160))}`);
    return m;
  };

  // --- setup: owner, a salesperson, 10 customers, customers who write in ---
  await say(owner, 'whoami');
  const invite = await say(owner, 'invite sales');
  const code = expect('invite', invite, /: ([A-Z0-9]{8})/)?.[1];
  expect('join', await say(lan, `join ${code}`), /Welcome to the team/);
  const lanStaffId = (await Identity.findById(`telegram:${lan.userId}`).lean())?.refId ?? '';

  const small: Phase = { name: 'small', customers: [], users: [], lat: new Map() };
  for (let i = 1; i <= SMALL_CUSTOMERS; i++) {
    const c = { phone: `0912${pad(i, 6)}`, email: `small${i}@bench.vn` };
    const reply = await say(lan, `lead Khách ${i} ${pick(NAMES)} ${c.phone} ${c.email} #${pick(TAGS)}`);
    const id = expect('setup lead', reply, /New lead (C\d+)/)?.[1];
    if (id) small.customers.push({ id, ...c });
  }

  /** Telegram customers who share their own phone: linked to that customer, by the app's own flow. */
  async function linkUsers(phase: Phase, firstUserId: number): Promise<void> {
    for (let u = 0; u < CUSTOMER_USERS; u++) {
      const c = pick(phase.customers);
      const who: Who = { platform: 'telegram', userId: String(firstUserId + u), displayName: `Khách ${firstUserId + u}` };
      expect('link', await say(who, '', { contact: { phone: e164(c.phone), userId: who.userId } }), /found your customer record/);
      phase.users.push(who);
    }
  }
  await linkUsers(small, 5001);

  // --- the rounds ---
  let leadSeq = 0;
  const roundOrders = new Map<string, { count: number; last: string }>();
  let messages = 0;

  async function round(phase: Phase, r: number, record: boolean): Promise<void> {
    const timed = async (kind: Kind, who: Who, text: string, extra: Partial<Incoming> = {}): Promise<string> => {
      current = record ? { phase: phase.name, kind } : undefined;
      const t = performance.now();
      const replies = await send(who, text, extra);
      const ms = performance.now() - t;
      current = undefined;
      if (record) {
        const list = phase.lat.get(kind) ?? [];
        list.push(ms);
        phase.lat.set(kind, list);
      }
      return textOf(replies);
    };
    const tag = `${phase.name} round ${r}`;

    const n = ++leadSeq;
    expect(`${tag} lead new`, await timed('lead new', lan, `lead Lead ${n} ${pick(NAMES)} 0933${pad(n, 6)}`), /New lead C\d+/);

    let c = pick(phase.customers);
    expect(`${tag} lead repeat`, await timed('lead repeat', lan, `lead ${spaced(c.phone)}`), new RegExp(`^${c.id} .*already has these details`));
    c = pick(phase.customers);
    expect(`${tag} find phone`, await timed('find phone', lan, `find ${c.phone}`), new RegExp(`\\b${c.id} `));
    c = pick(phase.customers);
    expect(`${tag} find e-mail`, await timed('find e-mail', lan, `find ${c.email}`), new RegExp(`\\b${c.id} `));
    c = pick(phase.customers);
    expect(`${tag} find C-number`, await timed('find C-number', lan, `find ${c.id}`), new RegExp(`\\b${c.id} `));
    c = pick(phase.customers);
    expect(`${tag} customer card`, await timed('customer card', lan, `customer ${c.id}`), new RegExp(`\\b${c.id}\\b`));

    c = pick(phase.customers);
    const ordered = await timed('order', lan, `order ${c.id} 150k ${1 + Math.floor(rng() * 3)}x ${pick(ITEMS)}`);
    const orderId = expect(`${tag} order`, ordered, new RegExp(`Order (O\\d+) for ${c.id} `))?.[1];
    if (orderId) {
      const seen = roundOrders.get(c.id) ?? { count: 0, last: '' };
      roundOrders.set(c.id, { count: seen.count + 1, last: orderId });
      expect(`${tag} order status`, await timed('order status', lan, `order status ${orderId} paid`), new RegExp(`Order ${orderId}: new → paid`));
    }

    messages++;
    expect(`${tag} customer message`, await timed('customer message', pick(phase.users), `hello, is the blue dress still in stock? (${phase.name} ${r})`), /Thanks, we got your message/);

    c = pick(phase.customers);
    expect(`${tag} button press`, await timed('button press', lan, `customer ${c.id}`, { fromButton: true }), new RegExp(`\\b${c.id}\\b`));

    c = pick(phase.customers);
    const created = await timed('followup', lan, `followup ${c.id} tomorrow 10:00 call back about the blue dress`);
    const followUpId = expect(`${tag} followup`, created, /Follow-up (F[A-Z0-9]{6}) for/)?.[1];
    expect(`${tag} followups`, await timed('followups', lan, 'followups'), new RegExp(followUpId ?? 'Your follow-ups'));
    if (followUpId) expect(`${tag} followup done`, await timed('followup done', lan, `followup done ${followUpId}`), new RegExp(`Done: ${followUpId}`));
  }

  async function runPhase(phase: Phase): Promise<number> {
    for (let r = 1; r <= warmupRounds; r++) await round(phase, -r, false);
    const start = performance.now();
    for (let r = 1; r <= rounds; r++) await round(phase, r, true);
    return (performance.now() - start) / 1000;
  }

  progress('small phase');
  const smallSecs = await runPhase(small);
  const smallCustomersAfter = await seqOf('customer');

  // --- bulk load up to the large shop ---
  progress('bulk load');
  const load = await bulkLoad(lanStaffId);
  const large: Phase = { name: 'large', customers: load.customers, users: [], lat: new Map() };
  await linkUsers(large, 6001);
  progress('large phase');
  const largeSecs = await runPhase(large);
  const peakMb = memory.stop();
  progress('checking');

  // --- sanity: order counts of the customers that got orders, against the orders collection ---
  const checked = [...roundOrders.keys()].filter((id) => !small.customers.some((s) => s.id === id)).slice(0, 40);
  checked.push(...small.customers.map((s) => s.id).filter((id) => roundOrders.has(id)));
  const counted = new Map<string, number>();
  for await (const o of Order.find({ customerId: { $in: checked } }, { customerId: 1, counted: 1 }).lean().cursor({ batchSize: 1000 })) {
    if (o.counted) counted.set(o.customerId, (counted.get(o.customerId) ?? 0) + 1);
  }
  let agree = 0;
  const disagree: string[] = [];
  for (const id of checked) {
    const doc = await Customer.findById(id, { totals: 1, recentOrderIds: 1 }).lean();
    const expected = (load.countedOf(id) ?? 0) + roundOrders.get(id)!.count;
    const totals = doc?.totals?.orders ?? -1;
    const inCollection = counted.get(id) ?? 0;
    const recent = doc?.recentOrderIds ?? [];
    const recentOk = recent.length <= 12 && recent[recent.length - 1] === roundOrders.get(id)!.last;
    if (totals === expected && inCollection === expected && recentOk) agree++;
    else disagree.push(`${id}: totals ${totals}, in orders ${inCollection}, expected ${expected}, recent [${recent.slice(-3).join(' ')}] last made ${roundOrders.get(id)!.last}`);
  }
  // Counting documents reads every row on FerretDB (a minute at this size): the counters say how many ids were issued.
  const customersNow = await seqOf('customer');
  const ordersNow = await seqOf('order');
  const [lastC, nextC, lastO, nextO] = await Promise.all([
    Customer.exists({ _id: `C${customersNow}` }),
    Customer.exists({ _id: `C${customersNow + 1}` }),
    Order.exists({ _id: `O${ordersNow}` }),
    Order.exists({ _id: `O${ordersNow + 1}` }),
  ]);
  const newestExist = !!lastC && !nextC && !!lastO && !nextO;

  // --- report ---
  const f = (n: number) => n.toFixed(2).padStart(9);
  const x = (n: number) => `${n.toFixed(2)}×`.padStart(9);
  const h = (a: string, b: string) => `${a.padStart(9)} ${b.padStart(9)}`;
  const pooled = (p: Phase) => KINDS.flatMap((k) => p.lat.get(k) ?? []);
  console.log(
    `bench/scale — ${rounds} rounds of ${KINDS.length} commands per phase (+${warmupRounds} warm-up), seed ${seed}, database: ${serverKind}${monitor ? ' (command monitoring on)' : ''}`,
  );
  console.log(`  small: ${SMALL_CUSTOMERS} customers at the start, ${smallCustomersAfter} at the end; ${rounds} rounds in ${smallSecs.toFixed(1)} s`);
  console.log(
    `  bulk load: ${load.customers.length} customers, ${load.orders} orders, ${load.keys} contact keys, ${load.interactions} interactions in ${load.seconds.toFixed(1)} s ` +
      `(${((load.customers.length + load.orders + load.keys + load.interactions) / load.seconds).toFixed(0)} docs/s)`,
  );
  console.log(`  large: ${load.totalCustomers} customers and ${load.totalOrders} orders at the start; ${rounds} rounds in ${largeSecs.toFixed(1)} s`);
  console.log(`  ${'ms per call'.padEnd(18)} ${h('small p50', 'p95')} │ ${h('large p50', 'p95')} │ ${h('ratio p50', 'p95')}`);
  for (const k of KINDS) {
    const a = small.lat.get(k) ?? [];
    const b = large.lat.get(k) ?? [];
    const [a50, a95, b50, b95] = [percentile(a, 50), percentile(a, 95), percentile(b, 50), percentile(b, 95)];
    const slow = b50 / a50 > 2 || b95 / a95 > 3 ? '  ← slower at scale' : '';
    console.log(`  ${k.padEnd(18)} ${f(a50)} ${f(a95)} │ ${f(b50)} ${f(b95)} │ ${x(b50 / a50)} ${x(b95 / a95)}${slow}`);
  }
  const A = pooled(small);
  const B = pooled(large);
  const r50 = percentile(B, 50) / percentile(A, 50);
  const r95 = percentile(B, 95) / percentile(A, 95);
  console.log(`  ${'all commands'.padEnd(18)} ${f(percentile(A, 50))} ${f(percentile(A, 95))} │ ${f(percentile(B, 50))} ${f(percentile(B, 95))} │ ${x(r50)} ${x(r95)}`);
  console.log(`  p50 ratio          : ${r50.toFixed(2)}× (target ≤ 2×) ${r50 <= 2 ? 'OK' : 'MISSED'}`);
  console.log(`  p95 ratio          : ${r95.toFixed(2)}× (target ≤ 3×) ${r95 <= 3 ? 'OK' : 'MISSED'}`);
  console.log(`  peak RSS           : ${peakMb} MB (bulk load included)`);
  console.log(
    `  sanity             : order counts of ${checked.length} customers (totals = orders collection = expected, latest order listed): ${agree}/${checked.length} agree; ` +
      `ids issued C1…C${customersNow}, O1…O${ordersNow} (newest exist, next free: ${newestExist ? 'yes' : 'NO'}); notifications ${sent.telegram} telegram + ${sent.console} console for ${messages} customer messages`,
  );
  for (const d of disagree.slice(0, 5)) console.log(`    ✗ ${d}`);
  console.log(`  replies checked    : ${problems.length === 0 ? 'all as expected' : `${problems.length} unexpected`}`);
  for (const p of problems.slice(0, 8)) console.log(`    ✗ ${p}`);

  if (monitor) {
    console.log('  command monitoring : commands per call, and filters other than exactly {_id: …} (count per call, mean ms)');
    for (const k of KINDS) {
      const per = (p: Phase) => ((commandsPer.get(`${p.name}|${k}`) ?? 0) / Math.max(1, p.lat.get(k)?.length ?? 0)).toFixed(1);
      console.log(`    ${k.padEnd(18)} ${per(small)} small, ${per(large)} large`);
      for (const p of [small, large]) {
        const calls = Math.max(1, p.lat.get(k)?.length ?? 0);
        for (const [key, o] of offenders) {
          const [phase, kind, sig] = key.split('|');
          if (phase !== p.name || kind !== k) continue;
          console.log(`      ${p.name}: ${sig}  ×${(o.count / calls).toFixed(2)}  ${(o.ms / o.count).toFixed(2)} ms`);
        }
      }
    }
  }

  /**
   * Inserts customers C(n+1)… and orders O(m+1)… up to the targets, with their contact keys,
   * running totals, recent lists and some interactions, then moves the counters past them.
   */
  async function bulkLoad(salesStaffId: string) {
    const db = mongoose.connection.db!;
    const customers = db.collection<RawDoc>(Customer.collection.collectionName);
    const keys = db.collection<RawDoc>(ContactKey.collection.collectionName);
    const orders = db.collection<RawDoc>(Order.collection.collectionName);
    const interactions = db.collection<RawDoc>(Interaction.collection.collectionName);
    const counters = db.collection<RawDoc>(Counter.collection.collectionName);
    const custBase = await seqOf('customer');
    const orderBase = await seqOf('order');
    // Ids are issued without gaps here (no races, nothing deleted): the counters are the counts.
    const nCust = Math.max(0, targetCustomers - custBase);
    const nOrders = Math.max(0, targetOrders - orderBase);
    const started = performance.now();
    const now = Date.now();

    // Orders: times over the last year (ids follow time), each for a random loaded customer.
    const times = new Float64Array(nOrders);
    for (let i = 0; i < nOrders; i++) times[i] = now - DAY - rng() * 365 * DAY;
    times.sort();
    const owner = new Int32Array(nOrders);
    const amount = new Int32Array(nOrders);
    const cancelled = new Uint8Array(nOrders);
    for (let i = 0; i < nOrders; i++) {
      owner[i] = Math.floor(rng() * nCust);
      amount[i] = (50 + Math.floor(rng() * 1950)) * 1000;
      cancelled[i] = rng() < 0.05 ? 1 : 0;
    }
    // Each customer's orders, oldest first (a counting sort on the customer).
    const first = new Int32Array(nCust + 1);
    for (let i = 0; i < nOrders; i++) first[owner[i]! + 1]!++;
    for (let k = 0; k < nCust; k++) first[k + 1]! += first[k]!;
    const fill = first.slice(0, nCust);
    const byCustomer = new Int32Array(nOrders);
    for (let i = 0; i < nOrders; i++) byCustomer[fill[owner[i]!]!++] = i;
    const countedPer = new Int32Array(nCust);

    let keyCount = 0;
    let interactionCount = 0;
    for (let k0 = 0; k0 < nCust; k0 += BATCH) {
      const cdocs: RawDoc[] = [];
      const kdocs: RawDoc[] = [];
      const idocs: RawDoc[] = [];
      for (let k = k0; k < Math.min(nCust, k0 + BATCH); k++) {
        const n = custBase + 1 + k;
        const id = `C${n}`;
        const mine = byCustomer.subarray(first[k], first[k + 1]);
        const revenue = { VND: 0 };
        const months: Record<string, { orders: number; revenue: { VND: number } }> = {};
        let ordersCounted = 0;
        let firstAt: Date | undefined;
        let lastAt: Date | undefined;
        for (const i of mine) {
          if (cancelled[i]) continue;
          const at = new Date(times[i]!);
          ordersCounted++;
          revenue.VND += amount[i]!;
          const bucket = (months[monthKey(at)] ??= { orders: 0, revenue: { VND: 0 } });
          bucket.orders++;
          bucket.revenue.VND += amount[i]!;
          firstAt ??= at;
          lastAt = at;
        }
        countedPer[k] = ordersCounted;
        const createdAt = new Date((mine.length ? times[mine[0]!]! : now - rng() * 365 * DAY) - rng() * 30 * DAY);
        const name = `Khách ${n} ${pick(NAMES)}`;
        const interactionIds: Types.ObjectId[] = [];
        if (k % 2 === 0) {
          const _id = new Types.ObjectId();
          interactionIds.push(_id);
          idocs.push({ _id, customerId: id, kind: 'message', text: 'cho mình hỏi giá áo dài', platform: 'telegram', priority: 'normal', at: new Date(createdAt.getTime() + DAY) });
        }
        cdocs.push({
          _id: id,
          name,
          nameKey: foldName(name),
          phones: [e164(bulkPhone(n))],
          emails: [bulkEmail(n)],
          tags: k % 3 === 0 ? [pick(TAGS)] : [],
          ...(k % 2 === 0 ? { ownerId: salesStaffId } : {}),
          source: 'import',
          consent: { promotions: rng() < 0.4, changedAt: createdAt },
          identityIds: [],
          unreachable: [],
          totals: { orders: ordersCounted, revenue: ordersCounted ? revenue : {}, months, ...(firstAt ? { firstOrderAt: firstAt, lastOrderAt: lastAt } : {}) },
          recentOrderIds: [...mine.subarray(Math.max(0, mine.length - 10))].map((i) => `O${orderBase + 1 + i}`),
          recentInteractionIds: interactionIds,
          status: 'active',
          createdBy: 'bench',
          createdAt,
          updatedAt: lastAt ?? createdAt,
        });
        kdocs.push({ _id: `phone:${e164(bulkPhone(n))}`, customerId: id, createdAt }, { _id: `email:${bulkEmail(n)}`, customerId: id, createdAt });
      }
      await customers.insertMany(cdocs);
      for (let j = 0; j < kdocs.length; j += BATCH) await keys.insertMany(kdocs.slice(j, j + BATCH));
      if (idocs.length) await interactions.insertMany(idocs);
      keyCount += kdocs.length;
      interactionCount += idocs.length;
    }

    const statusAt = (i: number): string[] => {
      if (cancelled[i]) return ['new', 'cancelled'];
      const age = now - times[i]!;
      if (age > 7 * DAY) return ['new', 'paid', 'shipped', 'delivered'];
      return age > 3 * DAY ? ['new', 'paid', 'shipped'] : ['new', 'paid'];
    };
    for (let i0 = 0; i0 < nOrders; i0 += BATCH) {
      const odocs: RawDoc[] = [];
      for (let i = i0; i < Math.min(nOrders, i0 + BATCH); i++) {
        const at = new Date(times[i]!);
        const steps = statusAt(i);
        const qty = 1 + (amount[i]! % 3);
        odocs.push({
          _id: `O${orderBase + 1 + i}`,
          customerId: `C${custBase + 1 + owner[i]!}`,
          items: [{ name: ITEMS[i % ITEMS.length], qty, unitMinor: Math.round(amount[i]! / qty) }],
          amountMinor: amount[i],
          currency: 'VND',
          status: steps[steps.length - 1],
          history: steps.map((status, s) => ({ status, at: new Date(at.getTime() + s * DAY), by: 'staff:bench' })),
          createdBy: 'staff:bench',
          counted: !cancelled[i],
          createdAt: at,
          updatedAt: new Date(at.getTime() + (steps.length - 1) * DAY),
        });
      }
      await orders.insertMany(odocs);
    }
    await counters.updateOne({ _id: 'customer' }, { $set: { seq: custBase + nCust } }, { upsert: true });
    await counters.updateOne({ _id: 'order' }, { $set: { seq: orderBase + nOrders } }, { upsert: true });
    const seconds = (performance.now() - started) / 1000;

    return {
      customers: Array.from({ length: nCust }, (_, k): Known => ({ id: `C${custBase + 1 + k}`, phone: bulkPhone(custBase + 1 + k), email: bulkEmail(custBase + 1 + k) })),
      orders: nOrders,
      keys: keyCount,
      interactions: interactionCount,
      seconds,
      totalCustomers: custBase + nCust,
      totalOrders: orderBase + nOrders,
      /** Counted orders a loaded customer had, or undefined for one that was not loaded. */
      countedOf: (id: string): number | undefined => {
        const k = Number(id.slice(1)) - custBase - 1;
        return k >= 0 && k < nCust ? countedPer[k] : undefined;
      },
    };
  }
});

/** A document as the raw driver writes it: string (or ObjectId) `_id`s, like the app's. */
interface RawDoc {
  _id: string | Types.ObjectId;
  [field: string]: unknown;
}

/** Signatures of the filters in a command that are not exactly `{_id: <string|ObjectId>}`. */
function nonIdFilters(e: CommandStartedEvent): string[] {
  return filtersOf(e)
    .filter((f) => !isExactId(f.filter))
    .map((f) => `${f.command} ${f.collection} ${JSON.stringify(shapeOf(f.filter))}${typeof f.comment === 'string' ? ` /* ${f.comment} */` : ''}`);
}
