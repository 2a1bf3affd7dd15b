/**
 * `npm run bench [-- <name> …] [flags]`: runs the benchmarks (all by default),
 * each in its own process so one's memory does not colour the next one's figures.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const all = ['leads', 'webhook', 'import', 'segments', 'broadcast', 'digest', 'scale'];
const names = process.argv.slice(2).filter((a) => all.includes(a));
const flags = process.argv.slice(2).filter((a) => !all.includes(a));
let failed = 0;
for (const name of names.length ? names : all) {
  const file = `bench/${name}.ts`;
  if (!existsSync(file)) {
    console.log(`bench/${name}: not present, skipped`);
    continue;
  }
  const res = spawnSync(process.execPath, ['--import', 'tsx', file, ...flags], { stdio: 'inherit' });
  if (res.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
