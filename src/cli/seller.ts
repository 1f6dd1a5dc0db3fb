/**
 * `pickup-kiosk seller …`: the reference seller's commands (docs/seller.md).
 * Each takes --seller-dir (its key and database); commands that talk to the
 * broker take --broker (or the broker of --config's kiosk config).
 */
import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig } from '../config/index.js';
import type { TlsFiles } from '../link/socket.js';
import { createLogger } from '../log.js';
import { ReferenceSeller, SellerError, type ReferenceSellerOptions, type SellerConnectOptions } from '../seller/index.js';
import { helpText, parseArgs, UsageError, type FlagSpecs } from './args.js';
import { processIo, type CliIo } from './io.js';

const EXIT = { ok: 0, refused: 1, usage: 2 } as const;

const COMMON = {
  'seller-dir': { kind: 'string', value: 'DIR', help: 'the seller key and database (default: $PICKUP_SELLER_DIR or ./seller-data)' },
  'seller-id': { kind: 'string', value: 'ID', help: "keygen: the new seller's id; other commands: refuse to run unless the key in --seller-dir is this seller's" },
  help: { kind: 'boolean', help: 'show this help' },
} satisfies FlagSpecs;

const BROKER = {
  broker: { kind: 'string', value: 'URL', help: 'mqtt://host:port or mqtts://host:port (default: --config broker, $PICKUP_BROKER, mqtt://127.0.0.1:1883)' },
  ca: { kind: 'string', value: 'FILE', help: 'CA certificate (PEM) for mqtts' },
  cert: { kind: 'string', value: 'FILE', help: 'client certificate (PEM)' },
  key: { kind: 'string', value: 'FILE', help: 'client key (PEM)' },
  username: { kind: 'string', value: 'NAME', help: 'broker user name (password from $PICKUP_SELLER_BROKER_PASSWORD)' },
  'connect-timeout': { kind: 'string', value: 'S', help: 'give up when the broker is not reached within S seconds (default 10)' },
} satisfies FlagSpecs;

const TOP = `usage: pickup-kiosk seller <command> [options]

commands:
  keygen --seller-id ID     make the seller's key (never overwrites one)
  identity                  print the seller's public identity (JSON) for kiosks' trust.sellers
  kiosk add FILE|-          register a kiosk from its \`pickup-kiosk identity\` JSON
  kiosk list                list registered kiosks (JSON)
  issue --kiosk K …         make a code, slip, label and push the manifest entry (JSON)
  cancel --txn T …          withdraw parcels (manifest cancels)
  push --kiosk K            resend every open parcel of a kiosk as manifests
  serve                     answer online checks and record and ack kiosk events
  events                    list recorded events (JSON)

Run \`pickup-kiosk seller <command> --help\` for a command's options.
`;

export interface SellerCommandContext {
  configPath?: string;
  io?: CliIo;
  /** Ends `serve` (besides SIGINT and SIGTERM). */
  signal?: AbortSignal;
}

export async function sellerCommand(argv: string[], ctx: SellerCommandContext): Promise<number> {
  const io = ctx.io ?? processIo();
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case undefined:
        io.stderr(TOP);
        return EXIT.usage;
      case 'help':
      case '--help':
      case '-h':
        io.stdout(TOP);
        return EXIT.ok;
      case 'keygen':
        return keygen(rest, io);
      case 'identity':
        return await identity(rest, io);
      case 'kiosk':
        return await kiosk(rest, io);
      case 'issue':
        return await issue(rest, io, ctx);
      case 'cancel':
        return await cancel(rest, io, ctx);
      case 'push':
        return await push(rest, io, ctx);
      case 'serve':
        return await serve(rest, io, ctx);
      case 'events':
        return await events(rest, io);
      default:
        throw new UsageError(`unknown seller command ${JSON.stringify(cmd)}`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`pickup-kiosk seller ${cmd ?? ''}: ${e.message}\n`);
      return EXIT.usage;
    }
    if (e instanceof ConfigError) {
      io.stderr(`${e.message}\n`);
      return EXIT.usage;
    }
    io.stderr(`pickup-kiosk seller ${cmd ?? ''}: ${e instanceof SellerError || e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.refused;
  }
}

type Parsed<S extends FlagSpecs> = ReturnType<typeof parseArgs<S & typeof COMMON>>;

/** Parses a command's flags; null after printing --help. */
function parse<S extends FlagSpecs>(argv: readonly string[], specs: S, usage: string, about: string, io: CliIo): Parsed<S> | null {
  const all = { ...specs, ...COMMON };
  const p = parseArgs(argv, all);
  if (p.flags.help) {
    io.stdout(helpText(usage, about, all));
    return null;
  }
  return p;
}

function sellerDir(flags: { 'seller-dir'?: string | undefined }): string {
  const d = flags['seller-dir'] ?? process.env.PICKUP_SELLER_DIR ?? 'seller-data';
  if (d === '') throw new UsageError('--seller-dir needs a folder');
  return d;
}

/** Opens the seller of --seller-dir; with --seller-id, only when the key there is that seller's. */
function openSeller(flags: { 'seller-dir'?: string | undefined; 'seller-id'?: string | undefined }, extra: Partial<ReferenceSellerOptions> = {}): ReferenceSeller {
  const dir = sellerDir(flags);
  const s = ReferenceSeller.open({ ...extra, dir });
  const want = flags['seller-id'];
  if (want !== undefined && want !== s.id) {
    void s.close();
    throw new SellerError('bad-option', `the key in ${dir} is seller ${s.id}, not ${want}`);
  }
  return s;
}

function json(io: CliIo, v: unknown): void {
  io.stdout(`${JSON.stringify(v, null, 2)}\n`);
}

function none(positionals: readonly string[]): void {
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
}

function keygen(argv: string[], io: CliIo): number {
  const p = parse(argv, {}, 'pickup-kiosk seller keygen --seller-id ID', "Makes the seller's Ed25519 key in --seller-dir and prints its public identity.", io);
  if (p === null) return EXIT.ok;
  none(p.positionals);
  const id = p.flags['seller-id'];
  if (id === undefined) throw new UsageError('--seller-id is required: the id kiosks know this seller by');
  json(io, ReferenceSeller.keygen(sellerDir(p.flags), id));
  return EXIT.ok;
}

async function identity(argv: string[], io: CliIo): Promise<number> {
  const p = parse(argv, {}, 'pickup-kiosk seller identity', "Prints the seller's public identity: put ed25519Public under trust.sellers.<sellerId> in each kiosk's config.", io);
  if (p === null) return EXIT.ok;
  none(p.positionals);
  const s = openSeller(p.flags);
  try {
    const id = s.identity();
    json(io, { ...id, trust: { sellers: { [id.sellerId]: [id.ed25519Public] } } });
  } finally {
    await s.close();
  }
  return EXIT.ok;
}

async function kiosk(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  const p = parse(rest, {}, 'pickup-kiosk seller kiosk add FILE|- | kiosk list', 'Registers a kiosk from its `pickup-kiosk identity` JSON (FILE, or - for stdin), or lists them.', io);
  if (p === null) return EXIT.ok;
  const s = openSeller(p.flags);
  try {
    if (sub === 'list') {
      none(p.positionals);
      json(io, s.kiosks());
      return EXIT.ok;
    }
    if (sub !== 'add') throw new UsageError('kiosk needs a subcommand: kiosk add FILE, or kiosk list');
    const [file, ...more] = p.positionals;
    if (file === undefined) throw new UsageError('kiosk add needs the identity file (or - for stdin)');
    none(more);
    json(io, s.addKiosk(readJson(file === '-' ? await io.readStdin() : readText(file), file)));
    return EXIT.ok;
  } finally {
    await s.close();
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new SellerError('bad-kiosk', `cannot read ${file}: ${(e as Error).message}`);
  }
}

function readJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SellerError('bad-kiosk', `${what} is not JSON: ${(e as Error).message}`);
  }
}

/** Where the broker is: --broker, else the kiosk config's broker, else $PICKUP_BROKER, else the local default. */
function brokerOptions(
  flags: { broker?: string; ca?: string; cert?: string; key?: string; username?: string; 'connect-timeout'?: string },
  ctx: SellerCommandContext,
): SellerConnectOptions {
  let url = flags.broker;
  const tls: TlsFiles = {};
  let username = flags.username;
  let password = process.env.PICKUP_SELLER_BROKER_PASSWORD;
  if (url === undefined && ctx.configPath !== undefined) {
    const b = loadConfig({ configPath: ctx.configPath }).broker;
    if (b.url !== 'embedded') url = b.url;
    else if (b.embeddedPort !== 0) url = `mqtt://127.0.0.1:${b.embeddedPort}`;
    else throw new UsageError('the kiosk config uses the embedded broker on a random port: give --broker URL (the kiosk logs it)');
    if (b.ca !== undefined) tls.ca = b.ca;
    username ??= b.username;
    password ??= b.password;
  }
  url ??= process.env.PICKUP_BROKER ?? 'mqtt://127.0.0.1:1883';
  if (flags.ca !== undefined) tls.ca = flags.ca;
  if (flags.cert !== undefined) tls.cert = flags.cert;
  if (flags.key !== undefined) tls.key = flags.key;
  const o: SellerConnectOptions = { brokerUrl: url, tls };
  const wait = flags['connect-timeout'];
  if (wait !== undefined) {
    if (!/^\d{1,4}$/.test(wait) || Number(wait) < 1) throw new UsageError('--connect-timeout is a whole number of seconds, 1 or more');
    o.waitMs = Number(wait) * 1000;
  }
  if (username !== undefined) o.username = username;
  if (password !== undefined) o.password = password;
  return o;
}

const ISSUE_FLAGS = {
  ...BROKER,
  kiosk: { kind: 'string', value: 'K', help: 'the kiosk the parcel goes to (required)' },
  txn: { kind: 'string', value: 'T', help: 'transaction number (default: a fresh one)' },
  size: { kind: 'string', value: 'S|M|L', help: 'compartment size' },
  mode: { kind: 'string', value: '0|1', help: 'slip mode (default 1: needs the kiosk registered)' },
  due: { kind: 'string', value: 'AMOUNT:CUR', help: 'to collect at pickup, minor units, like 3015:JPY' },
  'hold-days': { kind: 'string', value: 'N', help: 'days the kiosk holds it before it is uncollected' },
  code: { kind: 'string', value: 'C', help: 'the recipient code (default: random, 10 digits in mode 0, 8 in mode 1)' },
  'kiosk-identity': { kind: 'string', value: 'FILE', help: 'register the kiosk from this identity JSON first' },
  'no-verifier': { kind: 'boolean', help: 'send no manifest verifier (the kiosk checks the slip or asks online)' },
  'no-push': { kind: 'boolean', help: 'do not send the manifest now (send it later with seller push)' },
  'no-label': { kind: 'boolean', help: 'do not write the label PNG' },
} satisfies FlagSpecs;

async function issue(argv: string[], io: CliIo, ctx: SellerCommandContext): Promise<number> {
  const p = parse(argv, ISSUE_FLAGS, 'pickup-kiosk seller issue --kiosk K [options]', 'Issues a parcel: prints {txn, code, slip, label} as JSON. The code is for the recipient only.', io);
  if (p === null) return EXIT.ok;
  none(p.positionals);
  const f = p.flags;
  if (f.kiosk === undefined) throw new UsageError('--kiosk is required');
  const size = f.size;
  if (size !== undefined && size !== 'S' && size !== 'M' && size !== 'L') throw new UsageError('--size is S, M or L');
  if (f.mode !== undefined && f.mode !== '0' && f.mode !== '1') throw new UsageError('--mode is 0 or 1');
  let due: { amount: number; currency: string } | undefined;
  if (f.due !== undefined) {
    const m = /^(\d{1,15}):([A-Z]{3})$/.exec(f.due);
    if (m === null) throw new UsageError('--due is AMOUNT:CUR in minor units, like 3015:JPY');
    due = { amount: Number(m[1]), currency: m[2] };
  }
  let holdDays: number | undefined;
  if (f['hold-days'] !== undefined) {
    holdDays = Number(f['hold-days']);
    if (!/^\d{1,3}$/.test(f['hold-days']) || holdDays < 1 || holdDays > 365) throw new UsageError('--hold-days is a whole number from 1 to 365');
  }
  const s = openSeller(f);
  try {
    if (f['kiosk-identity'] !== undefined) {
      const k = s.addKiosk(readJson(readText(f['kiosk-identity']), f['kiosk-identity']));
      if (k.kioskId !== f.kiosk) throw new UsageError(`--kiosk-identity is kiosk ${k.kioskId}, not ${f.kiosk}`);
    }
    const pushNow = !f['no-push'];
    if (pushNow) await s.connect({ ...brokerOptions(f, ctx), serve: false });
    const r = await s.issue({
      kioskId: f.kiosk,
      ...(f.txn !== undefined ? { txn: f.txn } : {}),
      ...(size !== undefined ? { size } : {}),
      ...(f.mode !== undefined ? { mode: f.mode === '0' ? (0 as const) : (1 as const) } : {}),
      ...(due !== undefined ? { due } : {}),
      ...(holdDays !== undefined ? { holdDays } : {}),
      ...(f.code !== undefined ? { code: f.code } : {}),
      verifier: !f['no-verifier'],
      label: !f['no-label'],
      push: pushNow,
    });
    json(io, { txn: r.txn, code: r.code, slip: r.slip, label: r.label, kioskId: r.kioskId, mode: r.mode, seq: r.seq });
    return EXIT.ok;
  } finally {
    await s.close();
  }
}

async function cancel(argv: string[], io: CliIo, ctx: SellerCommandContext): Promise<number> {
  const p = parse(argv, { ...BROKER, txn: { kind: 'list', value: 'T', help: 'a txn to withdraw' } }, 'pickup-kiosk seller cancel --txn T [--txn T …]', 'Withdraws parcels: the kiosk drops expected ones and holds loaded ones for return.', io);
  if (p === null) return EXIT.ok;
  none(p.positionals);
  if (p.flags.txn.length === 0) throw new UsageError('give at least one --txn');
  const s = openSeller(p.flags);
  try {
    await s.connect({ ...brokerOptions(p.flags, ctx), serve: false });
    json(io, { cancelled: p.flags.txn, manifests: await s.cancel(p.flags.txn) });
    return EXIT.ok;
  } finally {
    await s.close();
  }
}

async function push(argv: string[], io: CliIo, ctx: SellerCommandContext): Promise<number> {
  const p = parse(argv, { ...BROKER, kiosk: { kind: 'string', value: 'K', help: 'the kiosk (required)' } }, 'pickup-kiosk seller push --kiosk K', 'Resends every parcel of the kiosk that may still be handed over (after the kiosk lost its broker session).', io);
  if (p === null) return EXIT.ok;
  none(p.positionals);
  if (p.flags.kiosk === undefined) throw new UsageError('--kiosk is required');
  const s = openSeller(p.flags);
  try {
    await s.connect({ ...brokerOptions(p.flags, ctx), serve: false });
    json(io, { kioskId: p.flags.kiosk, parcels: await s.push(p.flags.kiosk) });
    return EXIT.ok;
  } finally {
    await s.close();
  }
}

const SERVE_FLAGS = {
  ...BROKER,
  share: { kind: 'string', value: 'GROUP', help: 'shared-subscription group (default "sellers"); run several serve processes with the same group' },
  'no-share': { kind: 'boolean', help: 'subscribe plainly (a broker without $share subscriptions)' },
  'failure-limit': { kind: 'string', value: 'N', help: 'failed online checks per parcel before it answers locked (default 5)' },
} satisfies FlagSpecs;

async function serve(argv: string[], io: CliIo, ctx: SellerCommandContext): Promise<number> {
  const p = parse(argv, SERVE_FLAGS, 'pickup-kiosk seller serve [options]', 'Answers verify requests and records and acks kiosk events until SIGINT/SIGTERM. Prints one JSON line per recorded event and per answer.', io);
  if (p === null) return EXIT.ok;
  none(p.positionals);
  const f = p.flags;
  let failureLimit: number | undefined;
  if (f['failure-limit'] !== undefined) {
    failureLimit = Number(f['failure-limit']);
    if (!/^\d{1,3}$/.test(f['failure-limit']) || failureLimit < 1) throw new UsageError('--failure-limit is a whole number from 1 to 999');
  }
  const log = createLogger({ destination: { write: (line: string) => io.stderr(line) } });
  const s = openSeller(f, { log, ...(failureLimit !== undefined ? { failureLimit } : {}) });
  s.on('event', (e) => io.stdout(`${JSON.stringify({ event: e })}\n`));
  s.on('verify', (v) => io.stdout(`${JSON.stringify({ verify: v })}\n`));
  s.on('proof-problem', (pp) => io.stdout(`${JSON.stringify({ proofProblem: pp })}\n`));
  // The link's timers are unref'd (they must not hold a kiosk open); while the broker is away
  // nothing else would keep this process alive between retries.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const done = new Promise<void>((resolve) => {
    const stop = (): void => {
      clearInterval(keepAlive);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    ctx.signal?.addEventListener('abort', stop, { once: true });
    if (ctx.signal?.aborted) stop();
  });
  try {
    const share = f['no-share'] ? null : (f.share ?? 'sellers');
    const broker = brokerOptions(f, ctx);
    s.on('connected', () => io.stderr(`seller ${s.id} connected to ${broker.brokerUrl}: serving pk/v1/seller/${s.id}/#\n`));
    await s.connect({ ...broker, serve: true, share, waitMs: null });
    await done;
    return EXIT.ok;
  } finally {
    await s.close();
  }
}

async function events(argv: string[], io: CliIo): Promise<number> {
  const p = parse(argv, { limit: { kind: 'string', value: 'N', help: 'at most N, newest first (default 100)' } }, 'pickup-kiosk seller events [--limit N]', 'Lists the events kiosks reported, newest first (JSON).', io);
  if (p === null) return EXIT.ok;
  none(p.positionals);
  const limit = p.flags.limit === undefined ? 100 : Number(p.flags.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit is a whole number of 1 or more');
  const s = openSeller(p.flags);
  try {
    json(io, s.events(limit));
  } finally {
    await s.close();
  }
  return EXIT.ok;
}
