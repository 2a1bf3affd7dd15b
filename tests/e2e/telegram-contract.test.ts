/**
 * The shared chat-adapter contract (tests/shared/adapter-contract.ts), run for Telegram:
 * updates posted to the webhook by the Bot API emulator, answers read from its recorded calls.
 */
import '../../models/index.js';
import '../../models/telegram-callback.js';
import { adapterContract } from '../shared/adapter-contract.js';
import { useTestDatabase } from '../support/db.js';
import { startTelegramHarness, type Delivery } from '../support/telegram-harness.js';

useTestDatabase('telegram_contract');

const STAFF = 5001;
const CUSTOMER = 5002;

adapterContract('telegram', async () => {
  const h = await startTelegramHarness({ ownerIds: [STAFF] });
  let last: Delivery | undefined;
  let lastActor = STAFF;
  // Commands get Telegram's slash; free text goes as typed.
  const asTyped = (line: string) => (h.core.registry.match(line) ? `/${line}` : line);
  const act = async (who: number, delivery: Promise<Delivery>) => {
    lastActor = who;
    last = await delivery;
    if (last.status !== 200) throw new Error(`webhook answered ${last.status}`);
  };
  return {
    driver: {
      sendAsStaff: (line) => act(STAFF, h.say(STAFF, asTyped(line), { firstName: 'Contract', lastName: 'Owner' })),
      sendAsCustomer: (line) => act(CUSTOMER, h.say(CUSTOMER, asTyped(line), { firstName: 'Contract', lastName: 'Customer' })),
      async sendAsStaffTwice(line) {
        const update = h.tg.textUpdate({ fromId: STAFF, text: asTyped(line) });
        const first = await h.deliver(update);
        const second = await h.deliver(update);
        lastActor = STAFF;
        last = { ...second, calls: [...first.calls, ...second.calls], sent: [...first.sent, ...second.sent], texts: [...first.texts, ...second.texts] };
      },
      pressButton: (label) => act(lastActor, h.press(lastActor, label)),
      lastReplies: () => last?.texts ?? [],
    },
    teardown: () => h.stop(),
  };
});
