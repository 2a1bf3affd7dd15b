/**
 * `segments` between recomputes: customers added after the last run are not in its figures, and
 * the overview says so (with their numbers) instead of silently showing fewer customers; a refresh
 * counts them and the line goes.
 */
import '../../models/index.js';
import { describe, expect, it } from 'vitest';
import { createTestChat, OWNER } from '../support/chat.js';
import { useTestDatabase } from '../support/db.js';

useTestDatabase('segments_new_customers');

const { say } = createTestChat();

describe('segments overview', () => {
  it('names the customers added since the last recompute, and stops once they are counted', async () => {
    await say(OWNER, 'lead Anna 0912000001');
    expect(await say(OWNER, 'segments refresh')).toMatch(/^Segments recomputed for 1 customer\(s\)/);
    expect(await say(OWNER, 'segments')).not.toContain('added since');

    await say(OWNER, 'lead Bao 0912000002');
    await say(OWNER, 'lead Chi 0912000003');
    const between = await say(OWNER, 'segments');
    expect(between).toContain('Lead: 1 (100%)');
    expect(between).toContain('Customers added since (C2–C3) count from their first order, or after `segments refresh`; until then they are leads.');
    expect(await say(OWNER, 'segments', { locale: 'vi' })).toContain('Khách thêm sau lần tính này (C2–C3)');

    await say(OWNER, 'segments refresh');
    const after = await say(OWNER, 'segments');
    expect(after).toContain('Lead: 3 (100%)');
    expect(after).not.toContain('added since');
  });
});
