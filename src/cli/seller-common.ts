/** Shared pieces of the `pickup-kiosk seller` commands. */
import { readFileSync } from 'node:fs';
import { loadConfig } from '../config/index.js';
import type { TlsFiles } from '../link/socket.js';
import { ReferenceSeller, SellerError, type ReferenceSellerOptions, type SellerConnectOptions } from '../seller/index.js';
import { helpText, parseArgs, UsageError, type FlagSpecs } from './args.js';
import type { CliIo } from './io.js';

export const EXIT = { ok: 0, refused: 1, usage: 2 } as const;

export const COMMON = {
  'seller-dir': { kind: 'string', value: 'DIR', help: 'the seller key and database (default: $PICKUP_SELLER_DIR or ./seller-data)' },
  'seller-id': { kind: 'string', value: 'ID', help: "keygen: the new seller's id; other commands: refuse to run unless the key in --seller-dir is this seller's" },
  help: { kind: 'boolean', help: 'show this help' },
} satisfies FlagSpecs;

export const BROKER = {
  broker: { kind: 'string', value: 'URL', help: 'mqtt://host:port or mqtts://host:port (default: --config broker, $PICKUP_BROKER, mqtt://127.0.0.1:1883)' },
  ca: { kind: 'string', value: 'FILE', help: 'CA certificate (PEM) for mqtts' },
  cert: { kind: 'string', value: 'FILE', help: 'client certificate (PEM)' },
  key: { kind: 'string', value: 'FILE', help: 'client key (PEM)' },
  username: { kind: 'string', value: 'NAME', help: 'broker user name (password from $PICKUP_SELLER_BROKER_PASSWORD)' },
  'connect-timeout': { kind: 'string', value: 'S', help: 'give up when the broker is not reached within S seconds (default 10)' },
} satisfies FlagSpecs;

export interface SellerCommandContext {
  configPath?: string;
  io?: CliIo;
  /** Ends `serve` (besides SIGINT and SIGTERM). */
  signal?: AbortSignal;
}

export type Parsed<S extends FlagSpecs> = ReturnType<typeof parseArgs<S & typeof COMMON>>;

/** Parses a command's flags; null after printing --help. */
export function parse<S extends FlagSpecs>(argv: readonly string[], specs: S, usage: string, about: string, io: CliIo): Parsed<S> | null {
  const all = { ...specs, ...COMMON };
  const p = parseArgs(argv, all);
  if (p.flags.help) {
    io.stdout(helpText(usage, about, all));
    return null;
  }
  return p;
}

export function sellerDir(flags: { 'seller-dir'?: string | undefined }): string {
  const d = flags['seller-dir'] ?? process.env.PICKUP_SELLER_DIR ?? 'seller-data';
  if (d === '') throw new UsageError('--seller-dir needs a folder');
  return d;
}

/** Opens the seller of --seller-dir; with --seller-id, only when the key there is that seller's. */
export function openSeller(flags: { 'seller-dir'?: string | undefined; 'seller-id'?: string | undefined }, extra: Partial<ReferenceSellerOptions> = {}): ReferenceSeller {
  const dir = sellerDir(flags);
  const s = ReferenceSeller.open({ ...extra, dir });
  const want = flags['seller-id'];
  if (want !== undefined && want !== s.id) {
    void s.close();
    throw new SellerError('bad-option', `the key in ${dir} is seller ${s.id}, not ${want}`);
  }
  return s;
}

export function json(io: CliIo, v: unknown): void {
  io.stdout(`${JSON.stringify(v, null, 2)}\n`);
}

export function none(positionals: readonly string[]): void {
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
}

export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new SellerError('bad-kiosk', `cannot read ${file}: ${(e as Error).message}`);
  }
}

export function readJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SellerError('bad-kiosk', `${what} is not JSON: ${(e as Error).message}`);
  }
}

/** Where the broker is: --broker, else the kiosk config's broker, else $PICKUP_BROKER, else the local default. */
export function brokerOptions(
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
