/**
 * The contract every chat adapter (Telegram, Slack, …) must pass: one suite, run once per
 * platform with a small driver, in the manner of Agenda's shared test suites
 * (`test/shared/*-test-suite.ts`). The behaviours here are the platform-neutral promises of
 * ARCHITECTURE.md — the same grammar, the same permissions, exactly-once delivery — proven
 * through each platform's real transport (webhook / events endpoint) against its emulator.
 *
 * How to run it for a platform: in `tests/e2e/<platform>-contract.test.ts`
 *
 *   import { adapterContract } from './adapter-contract.js';
 *   useTestDatabase('slack_contract');               // the suite does not connect a database
 *   adapterContract('slack', async () => {
 *     const app = await startMyPlatformStack();      // emulator + core + HTTP server + adapter
 *     return { driver: { sendAsStaff, sendAsCustomer, sendAsStaffTwice, pressButton, lastReplies }, teardown: () => app.stop() };
 *   });
 *
 * Driver rules (see {@link AdapterContractDriver}):
 * - lines are given in the core's grammar without platform syntax (`lead Anna +84…`); the driver
 *   adds what its platform needs (`/lead …` on Telegram, `/crm lead …` or a DM `lead …` on Slack).
 *   A line that is not a command (`core.registry.match(line)` finds nothing) is free text and is
 *   sent as a plain message;
 * - "staff" is a person the configuration makes an owner (OWNER_TELEGRAM_IDS / OWNER_SLACK_IDS);
 *   "customer" is someone the CRM has never seen as staff;
 * - every call resolves only when the bot has finished answering (the adapter is idle), and
 *   `lastReplies()` then returns the texts the bot sent to the acting person's chat for that
 *   call, in order (a platform with rich blocks returns their plain-text fallback).
 * Names and phone numbers are unique per run, so the suite can share a database with others.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** What the suite needs from a platform. */
export interface AdapterContractDriver {
  /** Sends one line as a staff member (an owner), through the platform's real inbound transport. */
  sendAsStaff(line: string): Promise<void>;
  /** Sends one line as a customer. */
  sendAsCustomer(line: string): Promise<void>;
  /** Delivers one staff line twice as the same platform delivery (same update_id / event_id), as a platform re-send does. */
  sendAsStaffTwice(line: string): Promise<void>;
  /** Presses the button labelled `label` on the latest message to the last acting person that has one. */
  pressButton(label: string): Promise<void>;
  /** The texts the bot sent to the acting person's chat in answer to the last call, in order. */
  lastReplies(): string[];
}

export interface AdapterContractSetup {
  driver: AdapterContractDriver;
  teardown?: () => Promise<void>;
}

const STAFF_ONLY = 'Sorry, that command is for staff only. Send "help" to see what you can do.';
const MESSAGE_RECEIVED = 'Thanks, we got your message and will answer soon.';

/**
 * Registers the contract tests for one platform.
 *
 * @param name the platform, for test names (`telegram`, `slack`)
 * @param setup starts the platform's stack (called once, in `beforeAll`)
 */
export function adapterContract(name: string, setup: () => Promise<AdapterContractSetup>): void {
  describe(`chat adapter contract: ${name}`, () => {
    let driver: AdapterContractDriver;
    let teardown: (() => Promise<void>) | undefined;
    const run = randomBytes(3).toString('hex');
    // Unique per run: a name word made of letters only (find matches word starts) and a valid VN mobile number.
    const word = `Contract${run.replace(/\d/g, (d) => 'abcdefghij'[Number(d)]!)}`;
    const phone = `+849${String(parseInt(run, 16) % 100_000_000).padStart(8, '0')}`;
    const leadName = `${word} Lead`;
    let leadRef = '';

    beforeAll(async () => {
      ({ driver, teardown } = await setup());
    });
    afterAll(async () => {
      await teardown?.();
    });

    it('staff log a lead and get a confirmation with its number', async () => {
      await driver.sendAsStaff(`lead ${leadName} ${phone} met at the fair`);
      const replies = driver.lastReplies();
      expect(replies).toEqual([expect.stringMatching(new RegExp(`^New lead C\\d+ ${leadName} saved\\.$`))]);
      leadRef = /C\d+/.exec(replies[0]!)![0];
    });

    it('find shows the lead', async () => {
      await driver.sendAsStaff(`find ${word}`);
      const replies = driver.lastReplies();
      expect(replies).toHaveLength(1);
      expect(replies[0]).toContain(`Customers matching "${word}":`);
      expect(replies[0]).toContain(`${leadRef} ${leadName}`);
    });

    it('pressing a button runs its action: "Open customer" shows the card', async () => {
      await driver.sendAsStaff(`lead ${leadName} ${phone}`); // already known: answered with the button again
      expect(driver.lastReplies()).toEqual([`${leadRef} ${leadName} already has these details — nothing duplicated.`]);
      await driver.pressButton('Open customer');
      const replies = driver.lastReplies();
      expect(replies).toHaveLength(1);
      expect(replies[0]).toMatch(new RegExp(`^${leadRef} · ${leadName}\\n`));
      expect(replies[0]).toContain('met at the fair');
    });

    it('a customer cannot run staff commands and sees nothing of other customers', async () => {
      for (const line of [`find ${word}`, `customer ${leadRef}`, `lead Someone Else`, `note ${leadRef} hello`]) {
        await driver.sendAsCustomer(line);
        const replies = driver.lastReplies();
        // Refused, or (where the platform sends it as plain words) taken as a message to the shop.
        expect(replies).toHaveLength(1);
        expect([STAFF_ONLY, MESSAGE_RECEIVED]).toContain(replies[0]);
        expect(replies.join('\n')).not.toContain(leadName);
        expect(replies.join('\n')).not.toContain(phone.slice(-6));
      }
      await driver.sendAsCustomer(`orders ${leadRef}`);
      expect(driver.lastReplies()).toEqual(['You have no orders with us yet.']);
    });

    it("a customer's message is stored and acknowledged", async () => {
      await driver.sendAsCustomer(`Hello, is the shop open on Sunday? (${run})`);
      expect(driver.lastReplies()).toEqual([MESSAGE_RECEIVED]);
    });

    it('a delivery received twice is processed once: one lead, one reply', async () => {
      const twice = `${word} Twice`;
      await driver.sendAsStaffTwice(`lead ${twice}`);
      expect(driver.lastReplies()).toEqual([expect.stringMatching(new RegExp(`^New lead C\\d+ ${twice} saved\\.$`))]);
      await driver.sendAsStaff(`find ${twice}`);
      const found = driver.lastReplies()[0] ?? '';
      expect(found.split('\n').filter((l) => /^C\d+ /.test(l) && l.includes(twice))).toHaveLength(1);
    });
  });
}
