/**
 * Runs every benchmark module in this folder (each exports `run()` and prints
 * its own figures). Benchmarks never pass or fail on time. Pass names to run
 * only some: `npm run bench -- slip link`.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const names = readdirSync(here)
  .filter((f) => f.endsWith('.js') && f !== 'run.js' && !f.startsWith('_'))
  .map((f) => f.slice(0, -3))
  .filter((n) => only.length === 0 || only.includes(n))
  .sort();

console.log(`pickup-kiosk benchmarks — node ${process.version}, ${new Date().toISOString()}`);
for (const name of names) {
  console.log(`\n=== ${name}`);
  const mod = (await import(pathToFileURL(join(here, `${name}.js`)).href)) as { run?: () => Promise<void> };
  if (typeof mod.run !== 'function') {
    console.log(`(${name} has no run())`);
    continue;
  }
  const t0 = performance.now();
  await mod.run();
  console.log(`(${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
process.exit(0);
