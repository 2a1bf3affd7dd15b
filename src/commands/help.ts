/** `help` and `help <command>`, built from the registry so it can never drift from what exists. */
import { EVERYONE, usageOf, type Command } from '../core/command.js';
import type { CommandRegistry } from '../core/registry.js';
import { text } from '../core/types.js';

export function helpCommand(registry: CommandRegistry): Command {
  return {
    name: 'help',
    usage: 'help [command]',
    summary: 'help',
    allow: EVERYONE,
    async run(ctx) {
      const topic = ctx.args.trim();
      if (topic) {
        const found = registry.match(topic);
        if (found && found.command.allow.includes(ctx.actor.role)) {
          const c = found.command;
          const lines = [ctx.msg.usage(usageOf(c, ctx.msg)), ctx.msg.summary[c.summary]];
          if (c.examples?.length) lines.push('', ctx.msg.helpExamples(), ...c.examples.map((e) => `  ${e}`));
          return [text(lines.join('\n'))];
        }
        return [text(ctx.msg.unknownCommand(topic))];
      }
      const visible = registry.visibleTo(ctx.actor.role);
      const title = ctx.staff ? ctx.msg.helpTitleStaff(ctx.staff.role) : ctx.msg.helpTitleCustomer();
      const lines = [title, ...visible.map((c) => `  ${usageOf(c, ctx.msg).split('\n')[0]} — ${ctx.msg.summary[c.summary]}`), '', ctx.msg.helpFooter()];
      return [text(lines.join('\n'))];
    },
  };
}
