/**
 * `digest on [day] [HH:MM]` (default Monday 09:00 in your own zone; `digest on thứ hai 8h` too),
 * `digest off`, `digest now` — for managers and owners.
 */
import { MANAGERS, staffCommand } from '../core/command.js';
import { text } from '../core/types.js';
import { ValidationError } from '../errors.js';
import { renderDigest } from '../views/digest.js';
import { gatherDigest } from '../services/digest/data.js';
import { DEFAULT_DIGEST_DAY, DEFAULT_DIGEST_TIME, weekdayName } from '../services/digest/schedule.js';
import { parseWeeklySlot } from '../values/when.js';
import { subscribeDigest, unsubscribeDigest } from '../services/digest/subscriptions.js';
import { formatDue } from '../views/follow-ups.js';

export const digest = staffCommand({
  name: 'digest',
  usage: 'digest on [day] [HH:MM] | digest off | digest now',
  summary: 'digest',
  examples: ['digest on', 'digest on friday 17:30', 'digest on thứ hai 8h', 'digest off', 'digest now'],
  allow: MANAGERS,
  async run(ctx) {
    const [sub = '', ...rest] = ctx.args.trim().split(/\s+/);
    const now = ctx.deps.now();
    switch (sub.toLowerCase()) {
      case 'on': {
        // English or Vietnamese: "fri 17:30", "thứ hai 8h", "t6 5pm"; missing parts take the defaults.
        const slot = parseWeeklySlot(rest.join(' '));
        const schedule = { day: slot.day ?? DEFAULT_DIGEST_DAY, time: slot.time ?? DEFAULT_DIGEST_TIME };
        const s = await subscribeDigest(ctx.staff, schedule, now);
        return [text(ctx.msg.digest.subscribed(weekdayName(s.day), s.time, s.timeZone, formatDue(s.nextRunAt, s.timeZone)))];
      }
      case 'off':
        return [text((await unsubscribeDigest(ctx.staff.staffId, now)) ? ctx.msg.digest.unsubscribed() : ctx.msg.digest.notSubscribed())];
      case 'now':
        return renderDigest(await gatherDigest(now, ctx.deps.config), ctx.msg);
      default:
        throw new ValidationError('digest', 'say on, off or now');
    }
  },
});
