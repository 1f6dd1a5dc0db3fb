import { EXIT, loadFor, noPositionals, parseCommand } from './common.js';
import type { CliIo } from './io.js';

const DOC = {
  usage: 'pickup-kiosk config check [--config FILE] [--data-dir DIR]',
  about: 'Validates the config file and prints "ok", or every problem with its JSON path (exit 2).',
};

export async function configCheckCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseCommand(argv, {}, DOC, io);
  if (args === null) return EXIT.ok;
  noPositionals(args.positionals);
  if (loadFor(io, args.flags) === null) return EXIT.usage;
  io.stdout('ok\n');
  return EXIT.ok;
}
