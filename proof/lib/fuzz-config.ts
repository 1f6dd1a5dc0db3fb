/**
 * Config files, fuzzed: random JSON and text, and the shipped default with
 * random members replaced. Loading either must yield a config or a
 * ConfigError with problems a person can read, never another exception.
 */
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, defaultConfigPath, loadConfig } from '../../src/config/index.js';

export interface ConfigFuzzResult {
  runs: number;
  loaded: number;
  refused: number;
  /** A ConfigError with no message. */
  silentRefusals: number;
  /** Any other exception. */
  crashes: number;
  firstCrash: string | null;
}

/** Sets `value` at a random path of `obj` (a copy), walking into objects and arrays that exist. */
function mutate(obj: unknown, steps: number[], value: unknown): unknown {
  if (steps.length === 0 || typeof obj !== 'object' || obj === null) return value;
  const copy: Record<string, unknown> | unknown[] = Array.isArray(obj) ? [...(obj as unknown[])] : { ...(obj as Record<string, unknown>) };
  const keys = Object.keys(copy);
  if (keys.length === 0) return value;
  const k = keys[steps[0] % keys.length];
  (copy as Record<string, unknown>)[k] = mutate((copy as Record<string, unknown>)[k], steps.slice(1), value);
  return copy;
}

/**
 * `random` runs of random JSON or text, `mutated` runs of the default with
 * members replaced (seeds as given: the same files every time).
 */
export function fuzzConfig(o: { random: number; mutated: number; seeds?: [number, number] }): { random: ConfigFuzzResult; mutated: ConfigFuzzResult } {
  const dir = mkdtempSync(join(tmpdir(), 'pk-fuzz-config-'));
  const file = join(dir, 'kiosk.json');
  const base = JSON.parse(readFileSync(defaultConfigPath(), 'utf8')) as Record<string, unknown>;
  const fresh = (runs: number): ConfigFuzzResult => ({ runs, loaded: 0, refused: 0, silentRefusals: 0, crashes: 0, firstCrash: null });
  const load = (r: ConfigFuzzResult, text: string): void => {
    writeFileSync(file, text);
    try {
      loadConfig({ configPath: file });
      r.loaded++;
    } catch (e) {
      if (e instanceof ConfigError) {
        r.refused++;
        if (e.message.length === 0) r.silentRefusals++;
      } else {
        r.crashes++;
        r.firstCrash ??= `${text.slice(0, 120)}: ${(e as Error).message}`;
      }
    }
  };
  const [s1, s2] = o.seeds ?? [1, 2];
  try {
    const random = fresh(o.random);
    if (o.random > 0) fc.assert(fc.property(fc.oneof(fc.json(), fc.string({ maxLength: 200 })), (text) => load(random, text)), { numRuns: o.random, seed: s1 });
    const mutated = fresh(o.mutated);
    if (o.mutated > 0) {
      fc.assert(
        fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), fc.jsonValue(), (steps, value) => load(mutated, JSON.stringify(mutate(base, steps, value)))),
        { numRuns: o.mutated, seed: s2 },
      );
    }
    return { random, mutated };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
