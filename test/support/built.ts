import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : e.name.endsWith('.ts') ? statSync(p).mtimeMs : 0);
  }
  return t;
}

/**
 * Tests that run the built binary use the build `npm test` makes right before
 * vitest. They never build themselves: a build in one worker would rewrite
 * dist/ under a binary another worker is running.
 */
export function assertBuilt(root: string): void {
  const cli = join(root, 'dist', 'src', 'cli.js');
  if (!existsSync(cli)) throw new Error('no dist/: run `npm run build` first (npm test does)');
  const src = Math.max(newest(join(root, 'src')), newest(join(root, 'drivers')));
  if (newestJs(join(root, 'dist')) + 1000 < src) {
    throw new Error('dist/ is older than the sources: run `npm run build` first (npm test does)');
  }
}

function newestJs(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestJs(p) : e.name.endsWith('.js') ? statSync(p).mtimeMs : 0);
  }
  return t;
}
