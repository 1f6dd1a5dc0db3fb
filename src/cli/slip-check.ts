import { checkSlip, createTrustStore, isTxn, parseSlip, type SlipFailure, type X25519KeyPair } from '../domain/index.js';
import { IdentityError, loadIdentity } from '../identity.js';
import { UsageError } from './args.js';
import { EXIT, loadFor, parseCommand, parseTrustFlags, printJson } from './common.js';
import { trimOneNewline, type CliIo } from './io.js';

const FLAGS = {
  code: { kind: 'string', value: 'CODE', help: 'the recipient code (visible to other users in the process list: prefer --code-stdin)' },
  'code-stdin': { kind: 'boolean', help: 'read the recipient code from stdin (typed hidden at a terminal)' },
  'expect-txn': { kind: 'string', value: 'TXN', help: 'the txn the parcel is known by; a slip for another txn is refused' },
  trust: { kind: 'list', value: 'ID=HEX', help: "trust this seller key as well as the config's" },
  'allow-mode0': { kind: 'boolean', help: 'accept code-only (mode 0) slips whatever the config says' },
  'no-mode0': { kind: 'boolean', help: 'refuse code-only (mode 0) slips whatever the config says' },
} as const;

const DOC = {
  usage: 'pickup-kiosk slip check [options] <SLIP | ->',
  about:
    'Checks a PKS1 slip as the kiosk would, and prints {"ok", "reason"?, "txn"?, "sellerId", "mode"}.\n' +
    'Without a code it runs the check-in steps only (shape, signature, kiosk). "-" reads the slip from stdin.\n' +
    'Exit 0: accepted; 1: refused; 2: usage, config or key problem. The code is never printed or logged.',
};

/** Words for each refusal, for the person at the terminal (the JSON carries the reason code). */
function reasonInWords(reason: SlipFailure): string {
  switch (reason) {
    case 'malformed':
      return 'this is not a well-formed PKS1 slip (or its content is not)';
    case 'untrusted':
      return 'no trusted key of this seller with this key id (add it to trust.sellers, or --trust)';
    case 'bad-signature':
      return "the seller's signature does not match: the slip was altered";
    case 'mode-not-allowed':
      return 'code-only (mode 0) slips are refused by this configuration';
    case 'wrong-kiosk':
      return 'the slip is addressed to another kiosk';
    case 'wrong-code':
      return 'the code does not open this slip';
    case 'txn-mismatch':
      return 'the slip belongs to another txn (moved from another parcel)';
  }
}

export async function slipCheckCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseCommand(argv, FLAGS, DOC, io);
  if (args === null) return EXIT.ok;
  const f = args.flags;
  if (args.positionals.length !== 1) throw new UsageError('give exactly one slip (its text, or - to read it from stdin)');
  if (f['allow-mode0'] && f['no-mode0']) throw new UsageError('--allow-mode0 and --no-mode0 contradict each other');
  if (f.code !== undefined && f['code-stdin']) throw new UsageError('give the code once: --code or --code-stdin');
  const slipArg = args.positionals[0];
  if (slipArg === '-' && f['code-stdin']) {
    throw new UsageError('stdin can carry the slip or the code, not both: give the slip as an argument');
  }
  if (f['expect-txn'] !== undefined && !isTxn(f['expect-txn'])) {
    throw new UsageError('--expect-txn: a txn is 1 to 64 printable ASCII characters without spaces');
  }
  const trust = parseTrustFlags(f.trust);

  const config = loadFor(io, f, { trust });
  if (config === null) return EXIT.usage;

  const text = slipArg === '-' ? trimOneNewline(await io.readStdin()) : slipArg;
  let code: string | undefined = f.code;
  if (f['code-stdin']) {
    const c = await io.readSecret('recipient code: ');
    if (c === null) {
      io.stderr('no code given\n');
      return EXIT.usage;
    }
    code = c;
  }

  let kioskX25519: X25519KeyPair | null = null;
  try {
    kioskX25519 = loadIdentity(config.dataDir, { warn: (m) => io.stderr(`warning: ${m}\n`) }).x25519;
  } catch (e) {
    if (!(e instanceof IdentityError)) throw e;
    if (e.problem !== 'missing') {
      io.stderr(`${e.message}\n`);
      return EXIT.usage;
    }
    // Without kiosk keys a mode-0 slip can still be checked; a mode-1 slip cannot be opened at all.
    if (parseSlip(text)?.mode === 1) {
      io.stderr(`this slip is addressed to a kiosk (mode 1) and cannot be checked without its keys: ${e.message}\n`);
      return EXIT.usage;
    }
  }

  const allowMode0 = f['allow-mode0'] ? true : f['no-mode0'] ? false : config.policy.allowMode0;
  const result = await checkSlip(text, {
    trust: createTrustStore(config.trust.sellers),
    allowMode0,
    kioskX25519,
    code: code ?? null,
    expectTxn: f['expect-txn'] ?? null,
  });
  if (result.ok) {
    printJson(io, { ok: true, txn: result.txn, sellerId: result.slip.sellerId, mode: result.slip.mode });
    return EXIT.ok;
  }
  printJson(io, {
    ok: false,
    reason: result.reason,
    sellerId: result.slip?.sellerId ?? null,
    mode: result.slip?.mode ?? null,
  });
  io.stderr(`refused: ${reasonInWords(result.reason)}\n`);
  return EXIT.refused;
}
