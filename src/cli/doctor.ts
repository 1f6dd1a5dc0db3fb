import type { Config } from '../config/index.js';

/** Checks the kiosk's devices and links. Placeholder until the checks land. */
export async function doctorCommand(_config: Config): Promise<number> {
  process.stderr.write('doctor is not available in this build\n');
  return 2;
}
