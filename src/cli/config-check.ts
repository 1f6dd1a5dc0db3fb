import { hasRealDrivers, type Config } from '../config/index.js';
import { isLoopbackHost } from '../ui/guard.js';
import { EXIT, loadFor, noPositionals, parseCommand } from './common.js';
import type { CliIo } from './io.js';

const DOC = {
  usage: 'pickup-kiosk config check [--config FILE] [--data-dir DIR]',
  about: 'Validates the config file and prints "ok", or every problem with its JSON path (exit 2).',
};

/**
 * Every driver simulated means /sim drives the kiosk over HTTP: that must
 * listen on this machine only, never on an address others can reach.
 */
export function simExposed(config: Config): string | null {
  if (hasRealDrivers(config) || isLoopbackHost(config.http.host)) return null;
  return (
    `http.host: ${JSON.stringify(config.http.host)} is not a loopback address, and every driver is simulated, ` +
    'so /sim (which drives the kiosk) would be reachable from the network: listen on 127.0.0.1, or configure real drivers'
  );
}

export async function configCheckCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseCommand(argv, {}, DOC, io);
  if (args === null) return EXIT.ok;
  noPositionals(args.positionals);
  const config = loadFor(io, args.flags);
  if (config === null) return EXIT.usage;
  const exposed = simExposed(config);
  if (exposed !== null) {
    io.stderr(`${exposed}\n`);
    return EXIT.usage;
  }
  io.stdout('ok\n');
  return EXIT.ok;
}
