/**
 * Removing a staff member (issue 11, item 4) through `createApp(deps).handle(incoming)` on the real
 * database: `staff list`; `staff remove <name> to <name>` asks with buttons, then hands the
 * member's customers, open conversations and pending follow-ups to the colleague named, reports
 * the counts, tells the colleague and audits it; the removed member can no longer use staff
 * commands (and may be invited again); the last owner cannot be removed; only owners remove.
 */
import '../../models/index.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent, Conversation, Customer, FollowUp, Identity, OpenConversations, Staff } from '../../models/index.js';
import { createApp } from '../../src/app.js';
import type { Incoming } from '../../src/core/types.js';
import { RoutingNotifier } from '../../src/services/notifier.js';
import { buttonActions, customerIdIn, replyText, type Person } from '../support/chat.js';
import { useTestDatabase } from '../support/db.js';
import { FakeSender } from '../support/fake-sender.js';
import { nextDeliveryId, testDeps, type TestClock } from '../support/test-app.js';

useTestDatabase('staff_removal');

const telegram = new FakeSender('telegram');
const consoleChat = new FakeSender('console');
const clock: TestClock = { now: new Date('2026-03-02T03:00:00.000Z') };
const core = createApp(testDeps({ env: {}, notifier: new RoutingNotifier([telegram, consoleChat]), clock }));

const OWNER: Person = { platform: 'console', userId: 'owner', displayName: 'Owner' };
const lan: Person = { platform: 'telegram', userId: '6001', displayName: 'Lan' };
const minh: Person = { platform: 'telegram', userId: '6002', displayName: 'Minh' };
const mai: Person = { platform: 'telegram', userId: '6003', displayName: 'Mai' };
const buyer: Person = { platform: 'telegram', userId: '6101', displayName: 'Buyer' };

const send = (who: Person, text: string, extra: Partial<Incoming> = {}) =>
  core.handle({ platform: who.platform, userId: who.userId, chatId: who.userId, displayName: who.displayName, text, deliveryId: nextDeliveryId(), ...extra });
const say = async (who: Person, text: string) => replyText(await send(who, text));
const ids: Record<string, string> = {};

async function hire(role: 'sales' | 'manager', who: Person): Promise<string> {
  const code = /: (\w+)\n/.exec(await say(OWNER, `invite ${role}`))?.[1];
  expect(await say(who, `join ${code}`)).toMatch(/^Welcome to the team/);
  return (ids[who.displayName] = (await Identity.findById(`${who.platform}:${who.userId}`).lean())!.refId);
}

const textsTo = (chatId: string) => telegram.delivered.filter((d) => d.chatId === chatId).flatMap((d) => d.replies.flatMap((r) => (r.kind === 'text' ? [r.text] : [])));

describe('staff list and staff remove', () => {
  const leads: string[] = [];
  let buyerId = '';

  beforeAll(async () => {
    await say(OWNER, 'whoami');
    await hire('sales', lan);
    await hire('sales', minh);
    await hire('manager', mai);
    for (const name of ['Ann One +84 913 000 201', 'Bao Two +84 913 000 202', 'Cuc Three +84 913 000 203']) leads.push(customerIdIn(await say(lan, `lead ${name}`)));
    // A customer of Lan's writes: the conversation is open and Lan's.
    await say(lan, 'lead Buyer +84 913 000 204');
    buyerId = customerIdIn(await say(lan, 'find Buyer'));
    expect(await say(lan, `followup ${leads[0]} tomorrow 9am call back about sizes`)).toMatch(/^Follow-up/);
  });

  it('staff list shows the team with roles and platforms', async () => {
    const list = await say(OWNER, 'staff list');
    expect(list.split('\n')).toEqual(expect.arrayContaining(['The team (4):', 'Owner · owner · console', 'Lan · sales · telegram', 'Minh · sales · telegram', 'Mai · manager · telegram']));
    expect(await say(lan, 'staff list')).toMatch(/^Sorry, your role cannot use "staff list"/);
  });

  it('asks first, with the counts and buttons; "Keep them" changes nothing', async () => {
    // Lan's lead opens Lan's chat link and writes in: an open conversation assigned to Lan.
    const code = /: ([A-Z0-9]{12})\n/.exec(await say(lan, `chat link ${buyerId}`))?.[1];
    expect(await say(buyer, `start ${code}`)).toMatch(/^Hello Buyer!/);
    expect(await say(buyer, 'is my dress ready?')).toMatch(/^Thanks, we got your message/);
    expect((await Conversation.findById(buyerId).lean())!.assigneeId).toBe(ids.Lan);

    const asked = await send(OWNER, 'staff remove Lan to Minh');
    expect(replyText(asked)).toBe(
      'Remove Lan (sales) from the team? They will no longer be able to use the bot as staff. Their 4 customer(s), 1 open conversation(s) and 1 pending follow-up(s) go to Minh.',
    );
    const [remove, keep] = buttonActions(asked);
    expect(remove).toBe(`staff remove ${ids.Lan} to ${ids.Minh} --confirm`);
    expect(await say(OWNER, keep!)).toBe('Lan stays on the team; nothing was changed.');
    expect((await Staff.findById(ids.Lan).lean())!.active).toBe(true);
  });

  it('confirmed: customers, open conversations and follow-ups go to the colleague, who is told; the removed member is staff no more', async () => {
    const [remove] = buttonActions(await send(OWNER, 'staff remove lan to minh'));
    expect(await say(OWNER, remove!)).toBe('Lan is removed from the team. Minh now has their 4 customer(s), 1 open conversation(s) and 1 follow-up(s).');

    for (const id of [...leads, buyerId]) expect((await Customer.findById(id).lean())!.ownerId).toBe(ids.Minh);
    expect((await Conversation.findById(buyerId).lean())!.assigneeId).toBe(ids.Minh);
    expect((await OpenConversations.findById('open').lean())!.open[buyerId]).toMatchObject({ assigneeId: ids.Minh });
    const followUp = await FollowUp.findOne({ customerId: leads[0] }).lean();
    expect(followUp!.assigneeId).toBe(ids.Minh);
    expect((await Staff.findById(ids.Minh).lean())!.pendingFollowUpIds).toContain(followUp!._id);
    expect((await Staff.findById(ids.Lan).lean())).toMatchObject({ active: false, pendingFollowUpIds: [] });
    expect(textsTo(minh.userId).at(-1)).toBe(
      '📥 Owner removed Lan from the team. Their 4 customer(s), 1 open conversation(s) and 1 follow-up(s) are now yours: see "inbox mine" and "followups".',
    );
    expect(await AuditEvent.findOne({ action: 'staff.remove', target: `staff:${ids.Lan}` }).lean()).toMatchObject({
      actor: 'staff:' + (await Identity.findById('console:owner').lean())!.refId,
      data: { to: ids.Minh, customers: 4, conversations: 1, followUps: 1 },
    });

    // Lan can no longer use staff commands; the customer's next message reaches Minh.
    expect(await say(lan, '/find Ann')).toMatch(/staff only/);
    expect(await Identity.findById(`telegram:${lan.userId}`).lean()).toBeNull();
    const before = textsTo(minh.userId).length;
    await say(buyer, 'hello again?');
    expect(textsTo(minh.userId).length).toBeGreaterThan(before);
    expect(await say(OWNER, 'staff list')).toContain('Lan · sales · removed');
  });

  it('the removed member can be invited again', async () => {
    const code = /: (\w+)\n/.exec(await say(OWNER, 'invite sales'))?.[1];
    expect(await say({ ...lan, displayName: 'Lan' }, `join ${code}`)).toMatch(/^Welcome to the team/);
  });

  it('refuses the last owner, removing someone to themselves, and anyone but an owner', async () => {
    expect(await say(OWNER, 'staff remove Owner to Minh')).toBe('Owner is the only owner; a shop needs one. Make someone else an owner first (invite owner).');
    expect(await say(OWNER, 'staff remove Minh to Minh')).toMatch(/^Hand their customers to someone else, not to the person being removed/);
    expect(await say(mai, 'staff remove Minh to Mai')).toMatch(/^Sorry, your role cannot use "staff remove"/);
    expect(await say(OWNER, 'staff remove Nobody to Minh')).toMatch(/No active staff member matches "Nobody"|No staff member/);
    expect((await Staff.findById(ids.Minh).lean())!.active).toBe(true);
  });
});
