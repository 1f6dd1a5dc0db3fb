import { generateIdentity, identityJson, IdentityError, identityPaths, loadIdentity } from '../identity.js';
import { EXIT, loadFor, noPositionals, parseCommand, printJson } from './common.js';
import type { CliIo } from './io.js';

const KEYGEN_DOC = {
  usage: 'pickup-kiosk keygen [--config FILE] [--data-dir DIR]',
  about:
    "Makes the kiosk's keys in <data dir>/keys/ (Ed25519 for signing, X25519 for mode-1 slips) and prints\n" +
    'its public identity. Refuses (exit 1) when keys are already there: they are never overwritten.',
};

const IDENTITY_DOC = {
  usage: 'pickup-kiosk identity [--config FILE] [--data-dir DIR]',
  about:
    "Prints the kiosk's public identity as JSON: {kioskId, ed25519Public, x25519Public, kid}.\n" +
    'Give it to sellers (who address mode-1 slips to x25519Public) and to the broker operator.',
};

export async function keygenCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseCommand(argv, {}, KEYGEN_DOC, io);
  if (args === null) return EXIT.ok;
  noPositionals(args.positionals);
  const config = loadFor(io, args.flags);
  if (config === null) return EXIT.usage;
  try {
    const id = generateIdentity(config.dataDir);
    io.stderr(`kiosk keys written to ${identityPaths(config.dataDir).dir}: keep a backup, they are the kiosk's identity\n`);
    printJson(io, identityJson(config.kioskId, id));
    return EXIT.ok;
  } catch (e) {
    if (!(e instanceof IdentityError)) throw e;
    io.stderr(`${e.message}\n`);
    return EXIT.refused;
  }
}

export async function identityCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseCommand(argv, {}, IDENTITY_DOC, io);
  if (args === null) return EXIT.ok;
  noPositionals(args.positionals);
  const config = loadFor(io, args.flags);
  if (config === null) return EXIT.usage;
  try {
    const id = loadIdentity(config.dataDir, { warn: (m) => io.stderr(`warning: ${m}\n`) });
    printJson(io, identityJson(config.kioskId, id));
    return EXIT.ok;
  } catch (e) {
    if (!(e instanceof IdentityError)) throw e;
    io.stderr(`${e.message}\n`);
    return EXIT.refused;
  }
}
