import type { Config } from '../config/index.js';

/** Runs the kiosk. Placeholder until the kiosk application lands. */
export async function startCommand(_config: Config): Promise<number> {
  process.stderr.write('start is not available in this build\n');
  return 2;
}
