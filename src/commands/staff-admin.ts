/**
 * The team, from the owner's side: `staff list` (who is on the team, on which platforms) and
 * `staff remove <name> to <name>` — confirmed with buttons — which takes someone off the team and
 * hands their customers, conversations and pending follow-ups to the colleague named, reporting
 * the counts and telling that colleague. See src/services/staff-removal.ts.
 */
import { z } from 'zod';
import { MANAGERS, staffCommand } from '../core/command.js';
import { text } from '../core/types.js';
import { messagesFor } from '../core/messages.js';
import { NotFoundError } from '../errors.js';
import { staffLanguage } from '../services/conversations.js';
import { checkRemoval, handoverPreview, listTeam, removeStaff, staffMemberNamed } from '../services/staff-removal.js';
import { check } from './validate.js';

export const staffList = staffCommand({
  name: 'staff list',
  aliases: ['team', 'staff'],
  usage: 'staff list',
  summary: 'staffList',
  allow: MANAGERS,
  async run(ctx) {
    const team = await listTeam();
    const lines = team.map((s) => {
      if (!s.active) return ctx.msg.staffAdmin.removedLine(s.name, s.role);
      const platforms = [...new Set((s.identityIds ?? []).map((id) => id.split(':')[0]!))];
      return ctx.msg.staffAdmin.listLine(s.name, s.role, platforms.join(', ') || ctx.msg.none());
    });
    const hint = ctx.staff.role === 'owner' ? ['', ctx.msg.staffAdmin.listHint()] : [];
    return [text([ctx.msg.staffAdmin.listTitle(team.filter((s) => s.active).length), ...lines, ...hint].join('\n'))];
  },
});

/** `Lan to Minh --confirm`: who goes, who takes over, and whether the buttons were pressed. */
const removal = z.object({
  from: z.string().min(1, 'say who leaves: staff remove <name> to <name>'),
  to: z.string().min(1, 'say who takes over their customers: staff remove <name> to <name>'),
});

export const staffRemove = staffCommand({
  name: 'staff remove',
  aliases: ['staff delete'],
  usage: 'staff remove <name> to <name>',
  summary: 'staffRemove',
  examples: ['staff remove Lan to Minh'],
  allow: ['owner'],
  async run(ctx) {
    const words = ctx.args.trim().split(/\s+/);
    const confirmed = words.includes('--confirm');
    const cancelled = words.includes('--cancel');
    const line = words.filter((w) => w !== '--confirm' && w !== '--cancel').join(' ');
    const m = /^(.*?)\s+(?:to|cho|→)\s+(.*)$/i.exec(line);
    const args = check(removal, { from: m?.[1]?.trim() ?? line, to: m?.[2]?.trim() ?? '' });
    const from = await staffMemberNamed(args.from);
    if (cancelled) return [text(ctx.msg.staffAdmin.cancelled(from.name))];
    const to = await staffMemberNamed(args.to);
    // Only someone still on the team can take over.
    if (!to.active) throw new NotFoundError({ code: 'STAFF_NOT_FOUND', params: { ref: args.to } });
    await checkRemoval(from, to, ctx.deps.config);
    if (!confirmed) {
      const would = await handoverPreview(from._id);
      const action = `staff remove ${from._id} to ${to._id}`;
      return [
        text(ctx.msg.staffAdmin.confirm(from.name, from.role, to.name, would.customers, would.conversations, would.followUps), [
          [
            { label: ctx.msg.staffAdmin.removeButton(from.name), action: `${action} --confirm` },
            { label: ctx.msg.staffAdmin.cancelButton(), action: `${action} --cancel` },
          ],
        ]),
      ];
    }
    const moved = await removeStaff(from._id, to._id, ctx.by, ctx.deps.now());
    if (to._id !== ctx.staff.staffId) {
      // The colleague hears it in their own language; a failed notice does not undo the handover.
      const msg = messagesFor(await staffLanguage(to._id, ctx.deps.config.SHOP_LANGUAGE));
      const told = await ctx.deps.notifier
        .notify({ kind: 'staff', staffId: to._id }, [text(msg.staffAdmin.handedToYou(ctx.staff.name, from.name, moved.customers, moved.conversations, moved.followUps))])
        .catch((e: unknown) => ({ ok: false, reason: String(e) }));
      if (!told.ok) ctx.deps.log.warn({ staffId: to._id, reason: told.reason }, 'could not tell a colleague about a handover');
    }
    return [text(ctx.msg.staffAdmin.removed(from.name, to.name, moved.customers, moved.conversations, moved.followUps))];
  },
});
