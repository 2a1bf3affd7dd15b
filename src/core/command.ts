/**
 * One command shape for everything a person can type. Help, permission
 * checks and pagination are built on this shape rather than beside it.
 *
 * Commands only staff may run are built with {@link staffCommand}: their `run` gets a
 * {@link StaffContext} (the acting staff member, never optional), so they neither check
 * `actor.kind` nor throw `ForbiddenError` for what `allow` already excludes.
 *
 * @example
 *   export const note = staffCommand({
 *     name: 'note', usage: 'note <customer> <text>', summary: 'note',
 *     allow: STAFF, run: async (ctx) => [text(`Saved by ${ctx.staff.name}.`)],
 *   });
 */
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { isStaff, type Actor, type ActorRole, type CustomerActor, type StaffActor, type StaffRole } from './actor.js';
import type { Messages } from './messages.js';
import type { Incoming, Notifier, Reply } from './types.js';

/** What services and commands need from the outside world. */
export interface Deps {
  config: Config;
  notifier: Notifier;
  log: Logger;
  /** The clock; tests drive it. */
  now: () => Date;
}

/** The acting staff member, as commands need them. */
export interface ActingStaff {
  staffId: string;
  role: StaffRole;
  name: string;
  timeZone: string;
  identityId: string;
}

/** What every context carries, whoever is talking. Derived once per message by {@link commandContext}. */
interface ContextBase {
  incoming: Incoming;
  /** The text after the command name. */
  args: string;
  deps: Deps;
  msg: Messages;
  /** Who did it, as written to audit and history: `staff:<staffId>` for staff, the identity id otherwise. */
  by: string;
  /** The reader's time zone: the staff member's own, else the shop's `DEFAULT_TIMEZONE`. */
  zone: string;
  /** The region phone numbers are read in (`DEFAULT_PHONE_REGION`). */
  region: string;
}

/** A message from a member of staff: `staff` is always there. */
export interface StaffContext extends ContextBase {
  actor: StaffActor;
  staff: ActingStaff;
}

/** A message from a customer, or from someone we have no record of yet. */
export interface CustomerContext extends ContextBase {
  actor: CustomerActor;
  staff?: undefined;
}

/**
 * What a command (or flow) runs with. `if (ctx.staff)` tells staff from customers and narrows
 * the whole context, `actor` included.
 */
export type CommandContext = StaffContext | CustomerContext;

export interface Command {
  /** One or more words: `order status` is matched before `order`. */
  name: string;
  aliases?: readonly string[];
  /**
   * The usage line shown in help and with every validation error, in English; a reader of another
   * language sees the catalogue's `usages[name]` when it has one ({@link usageOf}).
   */
  usage: string;
  /** Key of its one-line description in the message catalogue (`msg.summary`). */
  summary: keyof Messages['summary'];
  /** Examples shown by `help <command>`. */
  examples?: readonly string[];
  /** Who may run it. */
  allow: readonly ActorRole[];
  /** Hidden from the help list (still runnable, e.g. button targets). */
  hidden?: boolean;
  run(ctx: CommandContext): Promise<Reply[]>;
}

export const STAFF: readonly StaffRole[] = ['owner', 'manager', 'sales', 'support'];
export const SELLERS: readonly StaffRole[] = ['owner', 'manager', 'sales'];
export const MANAGERS: readonly StaffRole[] = ['owner', 'manager'];
export const CUSTOMERS: readonly ActorRole[] = ['customer'];
export const EVERYONE: readonly ActorRole[] = [...STAFF, 'customer'];

/**
 * The context for one message: who is talking and what follows from it (`by`, `zone`,
 * `region`, and for staff the acting staff member). The core builds it once per message.
 *
 * @example
 *   commandContext({ actor, incoming, deps, msg, args: '' }).by // → 'staff:s_1a2b'
 */
export function commandContext(base: { actor: Actor; incoming: Incoming; deps: Deps; msg: Messages; args: string }): CommandContext {
  const { actor, incoming, deps, msg, args } = base;
  const region = deps.config.DEFAULT_PHONE_REGION;
  if (isStaff(actor)) {
    const { staffId, role, name, timeZone, identityId } = actor;
    const staff: ActingStaff = { staffId, role, name, timeZone, identityId };
    return { actor, incoming, args, deps, msg, by: `staff:${staffId}`, zone: timeZone, region, staff };
  }
  return { actor, incoming, args, deps, msg, by: actor.identityId, zone: deps.config.DEFAULT_TIMEZONE, region };
}

/**
 * A command's usage line in the reader's language: the catalogue's `usages[<command name>]` when it
 * has one (placeholders in the reader's words: `promo preview <P7>` stays, `<khách hàng>` is read
 * in Vietnamese), else the command's own `usage`. Help and validation errors both show this.
 *
 * @example
 *   usageOf(promoNew, messagesFor('vi')) // → 'promo new <all | #nhãn | phân khúc> … at <now | thời điểm>: <nội dung> …'
 */
export function usageOf(command: Pick<Command, 'name' | 'usage'>, msg: Messages): string {
  return (msg.usages as Readonly<Record<string, string | undefined>>)[command.name] ?? command.usage;
}

/** Whether the context is a staff member's (a type guard, for code shared by staff and customers). */
export function isStaffContext(ctx: CommandContext): ctx is StaffContext {
  return ctx.staff !== undefined && isStaff(ctx.actor);
}

/** A command only staff may run: `allow` lists staff roles only, and `run` gets a {@link StaffContext}. */
export interface StaffCommandSpec extends Omit<Command, 'allow' | 'run'> {
  allow: readonly StaffRole[];
  run(ctx: StaffContext): Promise<Reply[]>;
}

/**
 * Builds a staff-only command. The core checks `allow` before `run`, and `allow` holds staff
 * roles only (customers and unknown people have the role `customer`), so `run` only ever sees
 * staff. Both halves are asserted as well: a `customer` in `allow` (past the types) fails when
 * the command is defined, and a non-staff context reaching `run` fails as an internal error
 * rather than running a staff command for a customer.
 *
 * @example
 *   export const stats = staffCommand({
 *     name: 'stats', usage: 'stats', summary: 'stats', allow: STAFF,
 *     run: async (ctx) => [text(`${ctx.staff.name}, ${ctx.zone}`)],
 *   });
 */
export function staffCommand(spec: StaffCommandSpec): Command {
  const allow: readonly ActorRole[] = spec.allow;
  if (allow.includes('customer')) throw new Error(`staff command "${spec.name}" lists "customer" in allow`);
  return {
    ...spec,
    async run(ctx: CommandContext): Promise<Reply[]> {
      if (!isStaffContext(ctx)) throw new Error(`staff command "${spec.name}" reached by a non-staff actor (${ctx.actor.kind})`);
      return spec.run(ctx);
    },
  };
}
