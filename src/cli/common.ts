import { ConfigError, loadConfig, type Config, type ConfigOverrides } from '../config/index.js';
import { isId } from '../domain/index.js';
import { helpText, parseArgs, UsageError, type FlagSpecs, type ParsedArgs } from './args.js';
import type { CliIo } from './io.js';

/** Exit codes: the whole command line uses only these. */
export const EXIT = { ok: 0, refused: 1, usage: 2 } as const;

/** Flags every command takes. */
export const COMMON = {
  config: { kind: 'string', value: 'FILE', help: 'config file (default: config/default.json of the installation)' },
  'data-dir': { kind: 'string', value: 'DIR', help: "data folder (default: the config's dataDir)" },
  help: { kind: 'boolean', help: 'show this help' },
} satisfies FlagSpecs;

export interface CommandDoc {
  usage: string;
  about: string;
}

/**
 * Parses a command's arguments. Returns null after printing the help for
 * --help; throws UsageError for bad input.
 */
export function parseCommand<S extends FlagSpecs>(
  argv: readonly string[],
  specs: S,
  doc: CommandDoc,
  io: CliIo,
): ParsedArgs<S & typeof COMMON> | null {
  const all = { ...specs, ...COMMON }; // The command's own flags first in its help.
  const parsed = parseArgs(argv, all);
  if (parsed.flags.help) {
    io.stdout(helpText(doc.usage, doc.about, all));
    return null;
  }
  return parsed;
}

export function noPositionals(positionals: readonly string[]): void {
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
}

/** Loads the config for a command; prints every problem and returns null when it is not valid. */
export function loadFor(
  io: CliIo,
  flags: { config?: string | undefined; 'data-dir'?: string | undefined },
  overrides: ConfigOverrides = {},
): Config | null {
  if (flags['data-dir'] === '') throw new UsageError('--data-dir needs a folder');
  try {
    const all: ConfigOverrides = { ...overrides };
    if (flags['data-dir'] !== undefined) all.dataDir = flags['data-dir'];
    return loadConfig({ configPath: flags.config, overrides: all });
  } catch (e) {
    if (e instanceof ConfigError) {
      io.stderr(`${e.message}\n`);
      return null;
    }
    throw e;
  }
}

export function printJson(io: CliIo, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

const HEX64 = /^[0-9a-fA-F]{64}$/;

/** `--trust ID=HEX`, each a seller id and its 64-hex Ed25519 public key. */
export function parseTrustFlags(values: readonly string[]): Array<{ id: string; key: string }> {
  return values.map((v) => {
    const eq = v.indexOf('=');
    const id = eq < 0 ? '' : v.slice(0, eq);
    const key = eq < 0 ? '' : v.slice(eq + 1);
    if (eq < 0 || !isId(id) || !HEX64.test(key)) {
      throw new UsageError(
        `--trust ${JSON.stringify(v)}: give SELLER_ID=PUBLIC_KEY, an id of 1-64 of A-Z a-z 0-9 . _ - and 64 hex digits`,
      );
    }
    return { id, key: key.toLowerCase() };
  });
}
