/**
 * The shared chat-adapter contract (tests/shared/adapter-contract.ts), run for Slack: signed
 * requests to `/slack/events` from the Slack emulator, answers read from what the app sent back.
 * Commands go as `/crm <line>` (answered through response_url), free text as DMs to the app
 * (answered with chat.postMessage), a repeated delivery as the same DM event re-sent with
 * `X-Slack-Retry-Num`, button presses as `block_actions`.
 */
import '../../models/index.js';
import { adapterContract } from '../shared/adapter-contract.js';
import { useTestDatabase } from '../support/db.js';
import { startSlackHarness, type SlackExchange, type SlackShownMessage } from '../support/slack-harness.js';

useTestDatabase('slack_contract');

const STAFF = 'UCONTRACTOWNER';
const CUSTOMER = 'UCONTRACTCUST';

adapterContract('slack', async () => {
  const h = await startSlackHarness({ ownerIds: [STAFF] });
  h.slack.options.perChannelRatePerSec = 0;
  h.slack.addUser({ id: STAFF, name: 'contract.owner', realName: 'Contract Owner' });
  h.slack.addUser({ id: CUSTOMER, name: 'contract.customer', realName: 'Contract Customer' });
  let last: SlackExchange | undefined;
  let lastActor = STAFF;
  /** Every message each person got, oldest first (to find "the latest message with a button"). */
  const seen = new Map<string, SlackShownMessage[]>();
  const isCommand = (line: string) => h.core.registry.match(line) !== undefined;

  const act = async (who: string, exchange: Promise<SlackExchange>) => {
    lastActor = who;
    last = await exchange;
    if (last.status !== 200) throw new Error(`/slack/events answered ${last.status}`);
    seen.set(who, [...(seen.get(who) ?? []), ...last.messages]);
  };

  return {
    driver: {
      sendAsStaff: (line) => act(STAFF, isCommand(line) ? h.slash(STAFF, line) : h.dm(STAFF, line)),
      sendAsCustomer: (line) => act(CUSTOMER, isCommand(line) ? h.slash(CUSTOMER, line) : h.dm(CUSTOMER, line)),
      async sendAsStaffTwice(line) {
        const event = h.slack.dmMessageEvent({ userId: STAFF, text: line });
        const first = await h.dm(STAFF, line, { event });
        const second = await h.dm(STAFF, line, { event, ...(first.eventId ? { eventId: first.eventId } : {}), retryNum: 1 });
        lastActor = STAFF;
        last = { status: second.status, messages: [...first.messages, ...second.messages], texts: [...first.texts, ...second.texts] };
        seen.set(STAFF, [...(seen.get(STAFF) ?? []), ...last.messages]);
      },
      async pressButton(label) {
        const messages = seen.get(lastActor) ?? [];
        const button = [...messages].reverse().flatMap((m) => m.buttons).find((b) => b.label === label);
        if (!button) throw new Error(`no button "${label}" in the messages to ${lastActor}`);
        await act(lastActor, h.click(lastActor, button));
      },
      lastReplies: () => last?.texts ?? [],
    },
    teardown: () => h.stop(),
  };
});
