/** Joining the team and linking accounts: invite, join, link, whoami. */
import { DateTime } from 'luxon';
import { z } from 'zod';
import { STAFF_ROLES } from '../../models/staff.js';
import { EVERYONE, MANAGERS, staffCommand, type Command } from '../core/command.js';
import { text } from '../core/types.js';
import { createInvite, createLinkCode, joinWithCode, redeemLinkCode } from '../services/people.js';

import { check } from './validate.js';

export const invite = staffCommand({
  name: 'invite',
  usage: `invite <${STAFF_ROLES.join('|')}>`,
  summary: 'invite',
  examples: ['invite sales', 'invite manager'],
  allow: MANAGERS,
  async run(ctx) {
    const { role } = check(z.object({ role: z.enum(STAFF_ROLES, { error: `role must be one of ${STAFF_ROLES.join(', ')}` }) }), {
      role: ctx.args.trim().toLowerCase(),
    });
    const { code, expiresAt } = await createInvite(ctx.actor, role, ctx.deps.config.INVITE_TTL_HOURS, ctx.deps.now());
    const expires = DateTime.fromJSDate(expiresAt).setZone(ctx.zone).toFormat('yyyy-LL-dd HH:mm ZZZZ');
    return [text(ctx.msg.inviteCreated(code, role, expires))];
  },
});

export const join: Command = {
  name: 'join',
  usage: 'join <CODE>',
  summary: 'join',
  examples: ['join K7PQ2MXA'],
  allow: ['customer'],
  async run(ctx) {
    const { code } = check(z.object({ code: z.string().regex(/^[A-Za-z0-9]{6,12}$/, 'give the code you received, e.g. join K7PQ2MXA') }), {
      code: ctx.args.trim(),
    });
    const staff = await joinWithCode(code, ctx.incoming, ctx.deps.config, ctx.deps.now());
    return [text(ctx.msg.joined(staff.name, staff.role))];
  },
};

export const link: Command = {
  name: 'link',
  usage: 'link            (get a code)\nlink <CODE>     (from your other account)',
  summary: 'link',
  allow: EVERYONE,
  async run(ctx) {
    const code = ctx.args.trim();
    if (!code) {
      const created = await createLinkCode(ctx.actor, ctx.incoming, 24, ctx.deps.now());
      return [text(ctx.msg.linkCode(created.code))];
    }
    check(z.object({ code: z.string().regex(/^[A-Za-z0-9]{6,12}$/, 'that is not a link code') }), { code });
    await redeemLinkCode(code, ctx.incoming, ctx.deps.now());
    return [text(ctx.msg.linked())];
  },
};

export const whoami: Command = {
  name: 'whoami',
  usage: 'whoami',
  summary: 'whoami',
  allow: EVERYONE,
  async run(ctx) {
    if (ctx.staff) return [text(ctx.msg.whoamiStaff(ctx.staff.name, ctx.staff.role))];
    const a = ctx.actor;
    if (a.kind === 'customer') return [text(ctx.msg.whoamiCustomer(a.customerId, a.name))];
    return [text(ctx.msg.whoamiUnknown())];
  },
};
