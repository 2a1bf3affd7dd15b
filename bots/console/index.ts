/**
 * The console adapter: a chat in the terminal. As a TTY it is interactive
 * (prompt, numbered buttons); with piped stdin it reads one command per line
 * and prints the replies, so it can be scripted and tested.
 *
 * Meta commands (not part of the CRM grammar):
 *   :as owner             talk as the configured owner (the default)
 *   :as customer <name>   talk as a customer, to try customer flows
 *   :contact <phone>      share a phone number (as Telegram's contact button would)
 *   :quit                 leave
 *
 * @example
 *   printf 'lead Anna +84912345678\nfind anna\n' | npm start
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Core } from '../../src/core/handle.js';
import type { Incoming, PlatformSender, Reply, SendResult } from '../../src/core/types.js';
import { renderReplies } from './render.js';

interface Persona {
  userId: string;
  displayName: string;
}

export interface ConsoleOptions {
  core: Core;
  input: Readable;
  output: Writable;
  interactive: boolean;
  ownerName: string;
}

/** Runs the console chat until stdin ends or `:quit`. */
export async function runConsole(options: ConsoleOptions): Promise<void> {
  const { core, input, output, interactive } = options;
  const write = (s: string) => output.write(`${s}\n`);
  let persona: Persona = { userId: 'owner', displayName: options.ownerName };
  let lastActions: string[] = [];
  let seq = 0;
  const session = Date.now().toString(36);

  const rl = createInterface({ input, output: interactive ? output : undefined, terminal: interactive });
  const prompt = () => {
    if (interactive) {
      rl.setPrompt(`${persona.displayName}> `);
      rl.prompt();
    }
  };
  if (interactive) {
    write('Chat CRM console. You are the owner. Type "help" for commands, ":as customer <name>" to play a customer, ":quit" to leave.');
  }
  prompt();

  for await (const raw of rl) {
    const line = raw.trim();
    if (!line) {
      prompt();
      continue;
    }
    if (!interactive) write(`${persona.displayName}> ${line}`);
    if (line === ':quit' || line === ':q') break;
    if (line.startsWith(':as')) {
      persona = switchPersona(line, options.ownerName) ?? persona;
      write(`(you are now ${persona.displayName})`);
      prompt();
      continue;
    }
    let textLine = line;
    if (/^\d{1,2}$/.test(line) && lastActions[Number(line) - 1]) textLine = lastActions[Number(line) - 1]!;
    const incoming: Incoming = {
      platform: 'console',
      chatId: persona.userId,
      userId: persona.userId,
      displayName: persona.displayName,
      text: textLine,
      deliveryId: `console:${session}:${++seq}`,
      fromButton: textLine !== line,
    };
    const contact = /^:contact\s+(.+)$/.exec(line);
    if (contact) {
      incoming.text = '';
      incoming.contact = { phone: contact[1]!, firstName: persona.displayName };
    }
    const replies = await core.handle(incoming);
    const rendered = renderReplies(replies);
    lastActions = rendered.actions;
    for (const l of rendered.lines) write(l);
    prompt();
  }
  rl.close();
}

function switchPersona(line: string, ownerName: string): Persona | undefined {
  const [, who = '', ...rest] = line.split(/\s+/);
  if (who === 'owner') return { userId: 'owner', displayName: ownerName };
  if (who === 'customer' || who === 'staff') {
    const name = rest.join(' ') || (who === 'customer' ? 'Customer' : 'Staff');
    const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    return { userId: `${who}-${slug}`, displayName: name };
  }
  return undefined;
}

/**
 * The console's {@link PlatformSender}: messages for someone with a console
 * identity are printed with who they are for.
 */
export class ConsoleSender implements PlatformSender {
  readonly platform = 'console' as const;
  constructor(private readonly output: Writable) {}

  async send(chatId: string, replies: Reply[]): Promise<SendResult> {
    const { lines } = renderReplies(replies);
    this.output.write(`📨 to ${chatId}: ${lines.join('\n   ')}\n`);
    return { ok: true, platform: 'console' };
  }
}
