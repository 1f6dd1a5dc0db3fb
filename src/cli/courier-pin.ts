import { hashCourierPin, isCourierPin } from '../config/index.js';
import { isId } from '../domain/index.js';
import { UsageError } from './args.js';
import { EXIT, noPositionals, parseCommand, printJson } from './common.js';
import type { CliIo } from './io.js';

const FLAGS = {
  id: { kind: 'string', value: 'ID', help: 'the courier id (1-64 of A-Z a-z 0-9 . _ -)' },
} as const;

const DOC = {
  usage: 'pickup-kiosk courier-pin --id ID  < pin.txt',
  about:
    'Reads a courier PIN (6 to 16 digits) from stdin (hidden, and asked twice, at a terminal) and prints the\n' +
    'couriers[] entry to paste into the config: the id and a fresh salted scrypt hash (logN 15, r 8, p 1).\n' +
    'The PIN itself is never printed or stored.',
};

export async function courierPinCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseCommand(argv, FLAGS, DOC, io);
  if (args === null) return EXIT.ok;
  noPositionals(args.positionals);
  const id = args.flags.id;
  if (id === undefined) throw new UsageError('--id is required: the courier id');
  if (!isId(id)) throw new UsageError(`--id ${JSON.stringify(id)}: an id is 1 to 64 of A-Z a-z 0-9 . _ -`);

  const pin = await io.readSecret('courier PIN (6-16 digits): ');
  if (pin === null) {
    io.stderr('no PIN given\n');
    return EXIT.refused;
  }
  if (!isCourierPin(pin)) {
    io.stderr('refused: a courier PIN is 6 to 16 digits (0-9), nothing else\n');
    return EXIT.refused;
  }
  if (io.stdinIsTty) {
    const again = await io.readSecret('the same PIN again: ');
    if (again !== pin) {
      io.stderr('refused: the two PINs differ\n');
      return EXIT.refused;
    }
  }
  printJson(io, { id, pin: await hashCourierPin(pin) });
  return EXIT.ok;
}
