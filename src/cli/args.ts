/**
 * A small typed argument parser: long flags (`--name value`, `--name=value`),
 * booleans, repeatable flags, positionals, `--` to end flags, `-` as a
 * positional (stdin). Each command declares its flags once; the same
 * declaration types the result and prints the help.
 */

export type FlagKind = 'boolean' | 'string' | 'list';

export interface FlagSpec {
  kind: FlagKind;
  /** What the value is, for the help: `--config FILE`. */
  value?: string;
  help: string;
}

export type FlagSpecs = Record<string, FlagSpec>;

export type ParsedFlags<S extends FlagSpecs> = {
  [K in keyof S]: S[K]['kind'] extends 'boolean' ? boolean : S[K]['kind'] extends 'list' ? string[] : string | undefined;
};

export interface ParsedArgs<S extends FlagSpecs> {
  flags: ParsedFlags<S>;
  positionals: string[];
}

/** Bad command-line input: the process exits 2 with this message. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function parseArgs<S extends FlagSpecs>(argv: readonly string[], specs: S): ParsedArgs<S> {
  const values: Record<string, boolean | string | string[] | undefined> = {};
  for (const [name, spec] of Object.entries(specs)) {
    values[name] = spec.kind === 'boolean' ? false : spec.kind === 'list' ? [] : undefined;
  }
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h' && 'help' in specs) {
      values.help = true;
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    if (!arg.startsWith('--')) throw new UsageError(`unknown option ${arg} (options are spelled --name)`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const spec = specs[name];
    if (spec === undefined) throw new UsageError(`unknown option --${name}${suggest(name, Object.keys(specs))}`);
    if (spec.kind === 'boolean') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      values[name] = true;
      continue;
    }
    let value: string;
    if (eq >= 0) {
      value = arg.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) {
        throw new UsageError(`--${name} needs a value: --${name} ${spec.value ?? 'VALUE'}`);
      }
      value = next;
      i++;
    }
    if (spec.kind === 'list') {
      (values[name] as string[]).push(value);
    } else {
      if (values[name] !== undefined) throw new UsageError(`--${name} is given twice`);
      values[name] = value;
    }
  }
  return { flags: values as ParsedFlags<S>, positionals };
}

/** The help of one command: usage line, what it does, its flags. */
export function helpText(usage: string, about: string, specs: FlagSpecs): string {
  const rows = Object.entries(specs).map(([name, s]) => {
    const left = `--${name}${s.value ? ` ${s.value}` : ''}${s.kind === 'list' ? ' (repeatable)' : ''}`;
    return [left, s.help] as const;
  });
  const width = Math.max(...rows.map(([l]) => l.length));
  const lines = rows.map(([l, h]) => `  ${l.padEnd(width)}  ${h}`);
  return `usage: ${usage}\n\n${about}\n\noptions:\n${lines.join('\n')}\n`;
}

function suggest(name: string, known: string[]): string {
  if (name === '') return '';
  const close = known.find((k) => k.startsWith(name) || name.startsWith(k) || sameLetters(k, name));
  return close === undefined ? '' : ` (did you mean --${close}?)`;
}

function sameLetters(a: string, b: string): boolean {
  return a.length === b.length && [...a].sort().join('') === [...b].sort().join('');
}
