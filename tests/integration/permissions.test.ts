/**
 * The permission matrix, derived from the registry: every command × every role. A role
 * outside `command.allow` gets the polite refusal and nothing is written; a role inside
 * it is never refused. Neither ever gets the internal-error reply (a crash is not a refusal,
 * nor an answer). New commands are covered without editing this file.
 */
import '../../models/index.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../../src/commands/index.js';
import { ACTOR_ROLES, type ActorRole } from '../../src/core/actor.js';
import { messagesFor } from '../../src/core/messages.js';
import type { Reply } from '../../src/core/types.js';
import { countAll, createTestChat, OWNER, type Person } from '../support/chat.js';
import { useTestDatabase } from '../support/db.js';

useTestDatabase('permissions');

const chat = createTestChat();
const msg = messagesFor('en');

const people: Record<ActorRole, Person> = {
  owner: OWNER,
  manager: { platform: 'telegram', userId: '1101', displayName: 'Minh' },
  sales: { platform: 'telegram', userId: '1102', displayName: 'Lan' },
  support: { platform: 'slack', userId: 'T01:U1103', displayName: 'Hoa' },
  customer: { platform: 'telegram', userId: '1199', displayName: 'Khách' },
};

beforeAll(async () => {
  await chat.hire('manager', people.manager);
  await chat.hire('sales', people.sales);
  await chat.hire('support', people.support);
  expect(await chat.say(people.customer, 'start')).toContain('Welcome');
  for (const role of ACTOR_ROLES) {
    const expected = role === 'customer' ? /^You are customer C\d+ Khách\.$/ : new RegExp(`, ${role}\\.$`);
    expect(await chat.say(people[role], 'whoami')).toMatch(expected);
  }
});

const commands = createRegistry().list();

/** What to type: the bare command, and its first example (arguments must not get past the check). */
function linesFor(command: (typeof commands)[number]): string[] {
  return [command.name, ...(command.examples?.slice(0, 1) ?? [])];
}

const refusals = new Set([msg.forbidden(), ...commands.map((c) => msg.forbiddenRole(c.name))]);

/** The reply to a crash ("Sorry, something went wrong on our side (ref …)"), whatever its ref. */
const [crashStart = '', crashEnd = ''] = msg.internalError('\u0000').split('\u0000');
const isCrash = (text: string) => text.startsWith(crashStart) && text.endsWith(crashEnd);

/** Fails on any reply that is the internal-error text: a crash must never pass as an answer. */
function expectNoCrash(replies: Reply[], what: string): void {
  for (const reply of replies) {
    if (reply.kind === 'text') expect(isCrash(reply.text), `${what}: ${reply.text}`).toBe(false);
  }
}

describe.each(commands.map((command) => ({ command, name: command.name })))('command $name', ({ command }) => {
  it.each(ACTOR_ROLES.filter((role) => !command.allow.includes(role)))('refuses %s politely and writes nothing', async (role) => {
    const expected = role === 'customer' ? msg.forbidden() : msg.forbiddenRole(command.name);
    // Customers type commands with a slash (/lead); without one, "find my order" is a message to the shop.
    for (const line of linesFor(command).map((l) => (role === 'customer' ? `/${l}` : l))) {
      const before = await countAll(['processeddeliveries']);
      const replies = await chat.send(people[role], line);
      expectNoCrash(replies, `"${line}" by ${role}`);
      expect(replies).toEqual([{ kind: 'text', text: expected }]);
      expect(await countAll(['processeddeliveries'])).toEqual(before);
    }
  });

  it.each(ACTOR_ROLES.filter((role) => command.allow.includes(role)))('lets %s run it', async (role) => {
    for (const line of linesFor(command)) {
      const replies = await chat.send(people[role], line);
      expect(replies.length).toBeGreaterThan(0);
      expectNoCrash(replies, `"${line}" by ${role}`);
      for (const reply of replies) {
        if (reply.kind === 'text') expect(refusals.has(reply.text), `"${line}" by ${role}: ${reply.text}`).toBe(false);
      }
    }
  });
});

describe('the matrix itself', () => {
  it('recognises the internal-error reply, whatever its ref, and nothing else', () => {
    expect(crashStart.length).toBeGreaterThan(10);
    expect(isCrash(msg.internalError('a1b2c3'))).toBe(true);
    for (const refusal of refusals) expect(isCrash(refusal)).toBe(false);
  });

  it('covers every registered command and gives each at least one role', () => {
    expect(commands.length).toBeGreaterThanOrEqual(21);
    for (const command of commands) expect(command.allow.length, command.name).toBeGreaterThan(0);
  });

  it('keeps staff-only commands away from customers and customer flows away from staff', () => {
    const allowed = (name: string) => createRegistry().get(name)?.allow ?? [];
    for (const name of ['lead', 'find', 'customer', 'note', 'tag', 'untag', 'order', 'order status', 'merge', 'unmerge', 'invite', 'totals rebuild']) {
      expect(allowed(name), name).not.toContain('customer');
    }
    for (const name of ['merge', 'unmerge', 'invite', 'totals rebuild']) expect([...allowed(name)].sort(), name).toEqual(['manager', 'owner']);
    expect(allowed('order')).not.toContain('support');
  });
});
