/**
 * The command line: `pickup-kiosk <command> …`. main() returns the exit code
 * (0 ok, 1 refused or failed, 2 usage or config error) and never throws.
 * docs/cli.md describes every command.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { brokerUrlOk, packageRoot } from './config/index.js';
import { isId } from './domain/index.js';
import { UsageError } from './cli/args.js';
import { EXIT, loadFor, noPositionals, parseCommand, parseTrustFlags } from './cli/common.js';
import { configCheckCommand } from './cli/config-check.js';
import { courierPinCommand } from './cli/courier-pin.js';
import { processIo, type CliIo } from './cli/io.js';
import { identityCommand, keygenCommand } from './cli/keys.js';
import { slipCheckCommand } from './cli/slip-check.js';

export type { CliIo } from './cli/io.js';

const TOP_HELP = `usage: pickup-kiosk <command> [options]

commands:
  start           run the kiosk
  keygen          make the kiosk's keys (never overwrites them)
  identity        print the kiosk's public identity (JSON)
  slip check      check a PKS1 slip as the kiosk would (JSON)
  courier-pin     hash a courier PIN read from stdin into a couriers[] entry (JSON)
  config check    validate the config file
  seller …        the reference seller's commands
  doctor          check the configured devices and links

Every command takes --config FILE, --data-dir DIR and --help.
Exit codes: 0 ok, 1 refused or failed, 2 usage or config error.
`;

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [cmd, ...rest] = argv;
  let name = cmd ?? '';
  try {
    switch (cmd) {
      case undefined:
        io.stderr(TOP_HELP);
        return EXIT.usage;
      case '--help':
      case '-h':
      case 'help':
        io.stdout(TOP_HELP);
        return EXIT.ok;
      case '--version':
        io.stdout(`${version()}\n`);
        return EXIT.ok;
      case 'start':
        return await start(rest, io);
      case 'keygen':
        return await keygenCommand(rest, io);
      case 'identity':
        return await identityCommand(rest, io);
      case 'courier-pin':
        return await courierPinCommand(rest, io);
      case 'doctor':
        return await doctor(rest, io);
      case 'seller':
        return await seller(rest);
      case 'slip':
      case 'config': {
        const [sub, ...args] = rest;
        name = `${cmd} ${sub ?? ''}`.trim();
        if (sub === 'check') return await (cmd === 'slip' ? slipCheckCommand(args, io) : configCheckCommand(args, io));
        throw new UsageError(sub === undefined ? `${cmd} needs a subcommand: ${cmd} check` : `unknown command "${cmd} ${sub}"`);
      }
      default:
        io.stderr(`pickup-kiosk: unknown command ${JSON.stringify(cmd)}\n\n${TOP_HELP}`);
        return EXIT.usage;
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`pickup-kiosk ${name}: ${e.message}\n(run \`pickup-kiosk ${name} --help\` for its options)\n`);
      return EXIT.usage;
    }
    io.stderr(`pickup-kiosk ${name}: failed: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.refused;
  }
}

const START_FLAGS = {
  trust: { kind: 'list', value: 'ID=HEX', help: "trust this seller's Ed25519 public key as well as the config's" },
  'http-port': { kind: 'string', value: 'N', help: 'local web server port (0: any free port)' },
  broker: { kind: 'string', value: 'URL', help: '"embedded" or an mqtt:// / mqtts:// URL' },
  'kiosk-id': { kind: 'string', value: 'ID', help: "this kiosk's id" },
} as const;

async function start(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseCommand(argv, START_FLAGS, { usage: 'pickup-kiosk start [options]', about: 'Runs the kiosk.' }, io);
  if (args === null) return EXIT.ok;
  noPositionals(args.positionals);
  const f = args.flags;
  let httpPort: number | undefined;
  if (f['http-port'] !== undefined) {
    httpPort = Number(f['http-port']);
    if (!/^\d{1,5}$/.test(f['http-port']) || httpPort > 65_535) {
      throw new UsageError(`--http-port ${JSON.stringify(f['http-port'])}: give a port from 0 to 65535`);
    }
  }
  if (f.broker !== undefined && !brokerUrlOk(f.broker)) {
    throw new UsageError(`--broker ${JSON.stringify(f.broker)}: give "embedded" or an mqtt:// or mqtts:// URL`);
  }
  if (f['kiosk-id'] !== undefined && !isId(f['kiosk-id'])) {
    throw new UsageError(`--kiosk-id ${JSON.stringify(f['kiosk-id'])}: an id is 1 to 64 of A-Z a-z 0-9 . _ -`);
  }
  const config = loadFor(io, f, {
    trust: parseTrustFlags(f.trust),
    httpPort,
    broker: f.broker,
    kioskId: f['kiosk-id'],
  });
  if (config === null) return EXIT.usage;
  // Loaded on demand: the kiosk pulls in every driver, which the small commands do not need.
  const { startCommand } = await import('./cli/start.js');
  return startCommand(config);
}

async function doctor(argv: readonly string[], io: CliIo): Promise<number> {
  const doc = { usage: 'pickup-kiosk doctor [--config FILE] [--data-dir DIR]', about: 'Checks the configured devices and links.' };
  const args = parseCommand(argv, {}, doc, io);
  if (args === null) return EXIT.ok;
  noPositionals(args.positionals);
  const config = loadFor(io, args.flags);
  if (config === null) return EXIT.usage;
  const { doctorCommand } = await import('./cli/doctor.js');
  return doctorCommand(config);
}

/** The seller has its own flags: pass them through, taking out only --config. */
async function seller(argv: readonly string[]): Promise<number> {
  const rest: string[] = [];
  let configPath: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (a === '--config') {
      configPath = argv[i + 1];
      if (configPath === undefined) throw new UsageError('--config needs a value: --config FILE');
      i++;
    } else if (a.startsWith('--config=')) {
      configPath = a.slice('--config='.length);
    } else {
      rest.push(a);
    }
  }
  const { sellerCommand } = await import('./cli/seller.js');
  return sellerCommand(rest, configPath === undefined ? {} : { configPath });
}

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}
