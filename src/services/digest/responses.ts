/**
 * Conversations answered and first-response time per person, for the digest's weeks: one
 * streaming pass over the conversations (one small document per customer who ever wrote —
 * never the interactions), counting each conversation whose first response fell in a week,
 * credited to its assignee (`''` when it has none), with the median of those first-response times.
 *
 * A conversation keeps only its current first response, so one answered twice in a week counts
 * once; `stats` (src/services/stats.ts) gives the exact per-reply figures for a period on request.
 *
 * @example
 *   const weeks = await responsesIn([{ from: lastMonday, to: thisMonday }, { from: thisMonday, to: now }]);
 *   weeks[1].s_lan // → { answered: 4, medianMinutes: 12 }
 */
import { Conversation } from '../../../models/conversation.js';
import { median } from '../stats.js';

export interface ResponseFigures {
  answered: number;
  /** Median minutes to the first response; absent without answers. */
  medianMinutes?: number;
}

interface Row {
  assigneeId?: string | null;
  firstResponseAt?: Date | null;
  firstResponseMs?: number | null;
}

/** Per window, by assignee: conversations first answered in it and their median first-response minutes. */
export async function responsesIn(windows: readonly { from: Date; to: Date }[]): Promise<Record<string, ResponseFigures>[]> {
  const samples = windows.map(() => new Map<string, number[]>());
  const earliest = Math.min(...windows.map((w) => w.from.getTime()));
  const cursor = Conversation.collection.find({}, { projection: { assigneeId: 1, firstResponseAt: 1, firstResponseMs: 1 }, batchSize: 1000 });
  for await (const doc of cursor) {
    const c = doc as unknown as Row;
    const at = c.firstResponseAt?.getTime();
    if (at === undefined || at < earliest || typeof c.firstResponseMs !== 'number') continue;
    windows.forEach((w, i) => {
      if (at < w.from.getTime() || at >= w.to.getTime()) return;
      const who = c.assigneeId ?? '';
      const list = samples[i]!.get(who) ?? [];
      list.push(c.firstResponseMs! / 60_000);
      samples[i]!.set(who, list);
    });
  }
  return samples.map((byWho) =>
    Object.fromEntries([...byWho].map(([who, minutes]) => [who, { answered: minutes.length, medianMinutes: Math.round(median(minutes)) }])),
  );
}
