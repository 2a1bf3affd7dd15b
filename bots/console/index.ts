/**
 * The console adapter: a chat in the terminal. As a TTY it is interactive
 * (prompt, numbered buttons); with piped stdin it reads one command per line
 * and prints the replies, so it can be scripted and tested.
 *
 * Typing a number presses that button of the newest message with buttons in
 * the current person's chat (a reply, or a notification printed for them).
 * Files in replies are saved under `filesDir` and their path is printed.
 *
 * Meta commands (not part of the CRM grammar):
 *   :as owner                  talk as the configured owner (the default)
 *   :as customer <name>        talk as a customer, to try customer flows
 *   :as <manager|sales|support> <name>
 *                              talk as a staff member; their role is the one they joined with
 *                              (as the owner: `invite sales`, then `:as sales Lan` and `join CODE`)
 *   :contact <phone>           share a phone number (as Telegram's contact button would)
 *   :file <path> [caption]     send a local file or photo with an optional caption (as a chat app
 *                              would), e.g. `:file dress.jpg reply C2 Here it is in blue`
 *   :quit                      leave
 *
 * @example
 *   printf 'lead Anna +84912345678\nfind anna\n' | npm start
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Actor } from '../../src/core/actor.js';
import type { Core } from '../../src/core/handle.js';
import type { Incoming, PlatformSender, Reply, SendResult } from '../../src/core/types.js';
import { resolveActor } from '../../src/services/people.js';
import { consoleAttachment, saveReplyFiles } from './files.js';
import { renderReplies, type Rendered } from './render.js';

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
  /** Where files from replies are saved (created as needed); without it they are only announced. */
  filesDir?: string;
  /** The console's notification sender: its messages' buttons become pressable in their chat. */
  sender?: ConsoleSender;
}

/** Runs the console chat until stdin ends or `:quit`. */
export async function runConsole(options: ConsoleOptions): Promise<void> {
  const { core, input, output, interactive } = options;
  const write = (s: string) => output.write(`${s}\n`);
  let persona: Persona = { userId: 'owner', displayName: options.ownerName };
  /** Per chat, the actions of the newest message with buttons: what typing 1, 2, … presses. */
  const buttons = new Map<string, string[]>();
  const stopListening = options.sender?.onButtons((chatId, actions) => buttons.set(chatId, actions));
  let seq = 0;
  const session = Date.now().toString(36);

  // The owner exists before anyone types: a customer played first (`:as customer`) notifies them.
  await resolveActor({ platform: 'console', userId: persona.userId, chatId: persona.userId, displayName: persona.displayName }, core.deps.config);
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

  try {
    for await (const raw of rl) {
      const line = raw.trim();
      if (!line) {
        prompt();
        continue;
      }
      if (!interactive) write(`${persona.displayName}> ${line}`);
      if (line === ':quit' || line === ':q') break;
      if (/^:as(\s|$)/.test(line)) {
        const switched = await switchPersona(line, options.ownerName, core, persona);
        persona = switched.persona;
        write(`(${switched.message})`);
        prompt();
        continue;
      }
      let textLine = line;
      const pressed = /^\d{1,2}$/.test(line) ? buttons.get(persona.userId)?.[Number(line) - 1] : undefined;
      if (pressed) textLine = pressed;
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
      const file = /^:file\s+(?:"([^"]+)"|(\S+))\s*([\s\S]*)$/.exec(line);
      if (file) {
        const attached = await consoleAttachment(file[1] ?? file[2]!, file[3]!.trim());
        if ('error' in attached) {
          write(`(${attached.error})`);
          prompt();
          continue;
        }
        incoming.attachments = [attached];
        incoming.text = attached.caption ?? `[${attached.kind === 'image' ? 'photo' : 'file'}] ${attached.fileName ?? ''}`.trim();
      }
      const replies = await core.handle(incoming);
      const rendered = await present(replies, options.filesDir);
      if (rendered.actions.length > 0) buttons.set(persona.userId, rendered.actions);
      for (const l of rendered.lines) write(l);
      prompt();
    }
  } finally {
    stopListening?.();
    rl.close();
  }
}

/** Saves the replies' files (when there is a folder for them) and renders the replies. */
async function present(replies: Reply[], filesDir: string | undefined): Promise<Rendered> {
  return renderReplies(replies, filesDir ? await saveReplyFiles(replies, filesDir) : undefined);
}

const STAFF_WORDS = ['manager', 'sales', 'support', 'staff'] as const;
type Wanted = 'owner' | 'customer' | (typeof STAFF_WORDS)[number];

/**
 * `:as …`: the persona to talk as, and a confirmation naming the person and the role actually in
 * effect (looked up the way the core will, by identity). A staff role is never granted by `:as`:
 * someone who has not joined with an invite is a customer, and the message says how to change that.
 */
async function switchPersona(line: string, ownerName: string, core: Core, current: Persona): Promise<{ persona: Persona; message: string }> {
  const [, word = '', ...rest] = line.split(/\s+/);
  const wanted = word.toLowerCase() as Wanted;
  const name = rest.join(' ');
  let persona: Persona;
  if (wanted === 'owner' && !name) {
    persona = { userId: 'owner', displayName: ownerName };
  } else if (wanted === 'customer') {
    persona = named('customer', name || 'Customer');
  } else if (wanted === 'owner' || (STAFF_WORDS as readonly string[]).includes(wanted)) {
    persona = named('staff', name || capitalize(wanted));
  } else {
    return {
      persona: current,
      message: `${word ? `"${word}" is not a role to switch to; use` : 'say whom:'} :as owner, :as customer <name> or :as <manager|sales|support> <name>. You are still ${current.displayName}`,
    };
  }
  let actor: Actor;
  try {
    actor = await resolveActor({ platform: 'console', userId: persona.userId, chatId: persona.userId, displayName: persona.displayName }, core.deps.config);
  } catch (error) {
    return { persona, message: `you are now ${persona.displayName}; could not look up the role: ${error instanceof Error ? error.message : String(error)}` };
  }
  return { persona, message: describeSwitch(persona, actor, wanted) };
}

function named(kind: 'customer' | 'staff', name: string): Persona {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return { userId: `${kind}-${slug}`, displayName: name };
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** E.g. `you are now Lan — sales`, or why the role asked for is not the one in effect. */
function describeSwitch(persona: Persona, actor: Actor, wanted: Wanted): string {
  const who = actor.kind === 'unknown' ? persona.displayName : actor.name;
  const role = actor.kind === 'staff' ? actor.role : actor.kind === 'customer' ? `customer ${actor.customerId}` : 'customer';
  const now = `you are now ${who} — ${role}`;
  if (actor.kind === 'staff') {
    if (wanted === 'staff' || wanted === actor.role) return now;
    if (wanted === 'customer') return `${now}, not a customer: this console name joined the team; use another name to play a customer`;
    return `${now}, not ${wanted}: a staff member's role is the one their invite gave`;
  }
  if (wanted === 'customer') return now;
  const invited = wanted === 'staff' ? '<role>' : wanted;
  const asAgain = wanted === 'owner' ? `:as owner ${persona.displayName}` : `:as ${wanted} ${persona.displayName}`;
  return `${now}, not ${wanted === 'staff' ? 'staff' : wanted}: ${persona.displayName} has not joined the team. To change that: ":as owner", "invite ${invited}", then "${asAgain}" and "join <code>"`;
}

/**
 * The console's {@link PlatformSender}: messages for someone with a console
 * identity are printed with who they are for; their files are saved under
 * `filesDir` when given.
 */
export class ConsoleSender implements PlatformSender {
  readonly platform = 'console' as const;
  private readonly listeners = new Set<(chatId: string, actions: string[]) => void>();

  constructor(
    private readonly output: Writable,
    private readonly filesDir?: string,
  ) {}

  /** Calls `listener` with the numbered buttons of each message sent that has some; returns the unsubscribe. */
  onButtons(listener: (chatId: string, actions: string[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async send(chatId: string, replies: Reply[]): Promise<SendResult> {
    const { lines, actions } = await present(replies, this.filesDir);
    this.output.write(`📨 to ${chatId}: ${lines.join('\n   ')}\n`);
    if (actions.length > 0) for (const listener of this.listeners) listener(chatId, actions);
    return { ok: true, platform: 'console' };
  }
}
