import type { z } from 'zod/mini';
import { ALLOWED_PREFIX, show } from './rules.js';

/** One thing wrong with a config: where (a JSON path) and what is allowed there. */
export interface Problem {
  path: readonly PropertyKey[];
  message: string;
}

/** Thrown by loadConfig. `problems` holds every problem found, not just the first. */
export class ConfigError extends Error {
  readonly problems: string[];
  /** The config file as it was named (or "(overrides)" style labels). */
  readonly source: string;

  constructor(source: string, problems: string[]) {
    const n = problems.length;
    super(`${source}: ${n} problem${n === 1 ? '' : 's'}\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.source = source;
    this.problems = problems;
  }
}

/** `devices.locks.relays[2].channel`, `trust.sellers["odd.id"][0]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && /^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}

export function formatProblem(p: Problem): string {
  return `${formatPath(p.path)}: ${p.message}`;
}

/** Zod issues in words: one line per problem, unknown keys one per key with a guess at the intended one. */
export function problemsFromIssues(issues: readonly z.core.$ZodIssue[]): Problem[] {
  const out: Problem[] = [];
  for (const iss of issues) {
    if (iss.code === 'unrecognized_keys') {
      const allowed = iss.message.startsWith(ALLOWED_PREFIX) ? iss.message.slice(ALLOWED_PREFIX.length).split(', ') : [];
      for (const key of iss.keys) {
        const guess = nearest(key, allowed);
        const hint = guess === undefined ? '' : `; did you mean ${show(guess)}?`;
        const list = allowed.length > 0 ? ` (allowed here: ${allowed.join(', ')})` : '';
        out.push({ path: [...iss.path, key], message: `unknown key${hint}${list}` });
      }
    } else if (iss.code === 'invalid_key') {
      const inner = iss.issues[0]?.message ?? iss.message;
      out.push({ path: iss.path, message: `the name ${inner}` });
    } else {
      out.push({ path: iss.path, message: iss.message });
    }
  }
  return out;
}

/** The allowed key a typo most likely meant: same letters ignoring case, or at most 2 edits away. */
function nearest(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const a of allowed) {
    const d = a.toLowerCase() === key.toLowerCase() ? 0 : editDistance(a, key);
    if (d < bestD) {
      bestD = d;
      best = a;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(up + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

/**
 * Where JSON.parse gave up, as "line L, column C" (1-based). Node 20's parser
 * names a position for most errors but not for "Unexpected token": there we
 * find it by parsing ever longer prefixes — a prefix stops failing with "end of
 * input" exactly at the offending character.
 */
export function jsonErrorProblem(text: string, err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const reason = msg
    .replace(/ in JSON at position \d+.*$/s, '')
    .replace(/, (?:\.\.\.)?".*$/s, '')
    .trim();
  let pos: number | undefined;
  const m = /position (\d+)/.exec(msg);
  if (m) pos = Number(m[1]);
  else if (!/end of JSON input/.test(msg)) pos = firstBadOffset(text);
  else pos = text.length;
  if (pos === undefined) return `not valid JSON: ${reason}`;
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - before.lastIndexOf('\n');
  return `not valid JSON at line ${line}, column ${column}: ${reason}`;
}

function firstBadOffset(text: string): number | undefined {
  const failsInside = (k: number): boolean => {
    try {
      JSON.parse(text.slice(0, k));
      return false;
    } catch (e) {
      const m = e instanceof Error ? e.message : '';
      if (/end of JSON input/.test(m)) return false;
      // "Unterminated fractional number … at position k" is running out too, said differently.
      const at = /position (\d+)/.exec(m);
      return !(at && Number(at[1]) >= k);
    }
  };
  if (!failsInside(text.length)) return undefined;
  // Smallest k whose prefix fails for a reason other than running out: the bad character is text[k-1].
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (failsInside(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo - 1;
}
