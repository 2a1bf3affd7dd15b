/**
 * One direction of dependencies. Each source folder is a layer; a module may import from its own
 * layer and the layers below it, never from a layer above. The order, bottom first:
 *
 *   values (pure: phone, e-mail, names, money, refs, times, the tolerant parser; errors)
 *   foundation (config, log, the core's boundary types, actor, message catalogue)
 *   models → db → services → views → core (routing) → commands → jobs → app → adapters → main
 *
 * Jobs sit beside commands and may not borrow from them: what both show lives in views.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

const FOUNDATION = new Set(['src/config.ts', 'src/log.ts', 'src/core/types.ts', 'src/core/actor.ts', 'src/core/messages.ts', 'src/core/messages.vi.ts']);

/** The layer of a source file (higher may import lower), or undefined for files outside the layering. */
function layerOf(file: string): number | undefined {
  if (file.startsWith('src/values/') || file === 'src/errors.ts') return 0;
  if (FOUNDATION.has(file) || file.startsWith('src/types/')) return 1;
  if (file.startsWith('models/')) return 2;
  if (file.startsWith('src/db/')) return 3;
  if (file.startsWith('src/services/')) return 4;
  if (file.startsWith('src/views/')) return 5;
  if (file.startsWith('src/core/')) return 6;
  if (file.startsWith('src/commands/')) return 7;
  if (file.startsWith('jobs/')) return 7.5;
  if (file === 'src/app.ts') return 8;
  if (file.startsWith('bots/') || file.startsWith('src/http/')) return 9;
  if (file === 'src/main.ts') return 10;
  return undefined;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** Relative imports of a file, as repository paths of `.ts` files. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/g)].map((m) => m[1] ?? m[2]!);
  return specs.map((s) => normalize(join(dirname(file), s)).replace(/\.js$/, '.ts'));
}

describe('layers', () => {
  const files = ['src', 'models', 'jobs', 'bots'].flatMap(sourceFiles).map((f) => relative('.', f));

  it('finds the source files it checks', () => {
    expect(files.length).toBeGreaterThan(80);
    expect(files).toContain('src/core/handle.ts');
  });

  it('no module imports from a layer above its own, and jobs do not borrow from commands', () => {
    const upward: string[] = [];
    for (const file of files) {
      const from = layerOf(file);
      if (from === undefined) continue;
      for (const target of importsOf(file)) {
        const to = layerOf(target);
        if (to === undefined) continue;
        if (to > from || (file.startsWith('jobs/') && target.startsWith('src/commands/'))) upward.push(`${file} → ${target}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('nothing outside bots/ imports grammY or Bolt; only src/config.ts and src/db read the environment', () => {
    const leaks: string[] = [];
    for (const file of files) {
      const text = readFileSync(join(root, file), 'utf8');
      if (!file.startsWith('bots/') && /from\s+'(grammy|@grammyjs\/[^']+|@slack\/bolt)'/.test(text)) leaks.push(`${file}: platform SDK`);
      const code = text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ''); // comments may mention it
      if (file !== 'src/config.ts' && file !== 'src/main.ts' && !file.startsWith('src/db/') && /process\.env\b/.test(code)) leaks.push(`${file}: process.env`);
    }
    expect(leaks).toEqual([]);
  });
});
