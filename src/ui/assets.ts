/**
 * The browser scripts, bundled by esbuild at build time (scripts/build-ui.mjs)
 * into dist/ui/. Read once at start; nothing is fetched from anywhere else.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../config/index.js';

export const BUNDLES = ['kiosk', 'sim', 'operator'] as const;
export type Bundle = (typeof BUNDLES)[number];

export function bundleDir(): string {
  return join(packageRoot(), 'dist', 'ui');
}

/** Each bundle's text, or null where the build has not made it (the page then says so). */
export function loadBundles(): Record<Bundle, string | null> {
  const out = {} as Record<Bundle, string | null>;
  for (const b of BUNDLES) {
    const p = join(bundleDir(), `${b}.js`);
    out[b] = existsSync(p) ? readFileSync(p, 'utf8') : null;
  }
  return out;
}
