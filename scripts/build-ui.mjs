// Bundles the pages' browser scripts (src/ui/client/*.ts) into dist/ui/ with
// esbuild: one self-contained file per page, nothing loaded from a CDN.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
await build({
  entryPoints: ['kiosk', 'sim', 'operator'].map((n) => join(root, 'src/ui/client', `${n}.ts`)),
  outdir: join(root, 'dist/ui'),
  bundle: true,
  minify: true,
  format: 'iife',
  platform: 'browser',
  target: ['chrome100'],
  legalComments: 'none',
  logLevel: 'warning',
});
