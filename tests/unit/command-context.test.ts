/**
 * The command context: what the core derives once per message (`by`, `zone`, `region`, the
 * acting staff member), and the staff-only command builder that hands commands a narrowed
 * context — never a customer's.
 */
import { describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Actor } from '../../src/core/actor.js';
import { commandContext, isStaffContext, MANAGERS, staffCommand, type CommandContext, type Deps, type StaffContext } from '../../src/core/command.js';
import { messagesFor } from '../../src/core/messages.js';
import { text, type Incoming } from '../../src/core/types.js';
import { silentLogger } from '../../src/log.js';
import { createRegistry } from '../../src/commands/index.js';

const config = loadConfig({ DEFAULT_TIMEZONE: 'Europe/Berlin', DEFAULT_PHONE_REGION: 'DE' }, { envFile: null });
const deps: Deps = {
  config,
  notifier: { notify: async () => ({ ok: true }) },
  log: silentLogger(),
  now: () => new Date('2026-03-02T09:00:00Z'),
};
const incoming: Incoming = { platform: 'console', chatId: 'c1', userId: 'u1', displayName: 'Someone', text: 'whoami', deliveryId: 'console:1' };
const msg = messagesFor(undefined);

const sales: Actor = { kind: 'staff', role: 'sales', staffId: 's_1a2b', name: 'Linh', timeZone: 'Asia/Tokyo', identityId: 'console:u1' };
const customer: Actor = { kind: 'customer', role: 'customer', customerId: 'C12', name: 'Anna', identityId: 'telegram:42' };
const unknown: Actor = { kind: 'unknown', role: 'customer', name: 'New', identityId: 'slack:U9' };

const contextOf = (actor: Actor, args = ''): CommandContext => commandContext({ actor, incoming, deps, msg, args });

describe('commandContext', () => {
  it('gives staff their audit ref, their own time zone and the acting staff member', () => {
    const ctx = contextOf(sales, 'C12');
    expect(ctx).toMatchObject({ by: 'staff:s_1a2b', zone: 'Asia/Tokyo', region: 'DE', args: 'C12', actor: sales });
    expect(ctx.staff).toEqual({ staffId: 's_1a2b', role: 'sales', name: 'Linh', timeZone: 'Asia/Tokyo', identityId: 'console:u1' });
    expect(isStaffContext(ctx)).toBe(true);
  });

  it('gives customers and unknown people their identity id as audit ref, the shop time zone and no staff member', () => {
    for (const actor of [customer, unknown]) {
      const ctx = contextOf(actor);
      expect(ctx).toMatchObject({ by: actor.identityId, zone: 'Europe/Berlin', region: 'DE', actor });
      expect(ctx.staff).toBeUndefined();
      expect(isStaffContext(ctx)).toBe(false);
    }
  });
});

describe('staffCommand', () => {
  it('keeps the command definition and runs with the staff context', async () => {
    const run = vi.fn(async (ctx: StaffContext) => [text(`${ctx.staff.name} ${ctx.actor.staffId} ${ctx.zone}`)]);
    const command = staffCommand({ name: 'probe', aliases: ['p'], usage: 'probe', summary: 'help', allow: MANAGERS, hidden: true, run });
    expect(command).toMatchObject({ name: 'probe', aliases: ['p'], usage: 'probe', summary: 'help', allow: MANAGERS, hidden: true });
    const owner: Actor = { ...sales, role: 'owner' };
    await expect(command.run(contextOf(owner))).resolves.toEqual([text('Linh s_1a2b Asia/Tokyo')]);
    expect(run).toHaveBeenCalledOnce();
  });

  it('refuses, as an internal error, to run for a customer or unknown person whatever reaches it', async () => {
    const run = vi.fn(async () => [text('ran')]);
    const command = staffCommand({ name: 'probe', usage: 'probe', summary: 'help', allow: MANAGERS, run });
    for (const actor of [customer, unknown]) {
      await expect(command.run(contextOf(actor))).rejects.toThrow(`staff command "probe" reached by a non-staff actor (${actor.kind})`);
    }
    expect(run).not.toHaveBeenCalled();
  });

  it('cannot be defined with customers in allow', () => {
    expect(() =>
      // @ts-expect-error — the types only take staff roles; this proves the runtime check as well
      staffCommand({ name: 'probe', usage: 'probe', summary: 'help', allow: ['owner', 'customer'], run: async () => [] }),
    ).toThrow('staff command "probe" lists "customer" in allow');
  });

  it('guards every registered command customers may not run', async () => {
    const staffOnly = createRegistry()
      .list()
      .filter((c) => !c.allow.includes('customer'));
    expect(staffOnly.length).toBeGreaterThan(20);
    for (const command of staffOnly) {
      await expect(command.run(contextOf(customer)), command.name).rejects.toThrow(`staff command "${command.name}" reached by a non-staff actor`);
    }
  });
});
