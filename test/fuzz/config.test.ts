/**
 * Config files, fuzzed: random JSON, and the shipped default with random
 * members replaced. Loading either yields a config or a ConfigError with
 * problems a person can read, never another exception.
 */
import fc from 'fast-check';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, defaultConfigPath, loadConfig } from '../../src/config/index.js';
import { tempDir } from '../support/tmp.js';

const tmp = tempDir('pk-fuzz-config-');
afterAll(() => tmp.cleanup());
const file = join(tmp.dir, 'kiosk.json');
const base = JSON.parse(readFileSync(defaultConfigPath(), 'utf8')) as Record<string, unknown>;

function loads(text: string): 'ok' | 'refused' {
  writeFileSync(file, text);
  try {
    loadConfig({ configPath: file });
    return 'ok';
  } catch (e) {
    if (e instanceof ConfigError) {
      expect(e.message.length).toBeGreaterThan(0);
      return 'refused';
    }
    throw e;
  }
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

describe('config files, fuzzed', () => {
  it('random JSON and random text are a config or a ConfigError', () => {
    fc.assert(fc.property(fc.oneof(fc.json(), fc.string({ maxLength: 200 })), (text) => void loads(text)), { numRuns: 200, seed: 1 });
  });

  it('the default with random members replaced is a config or a ConfigError', () => {
    let refused = 0;
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), fc.jsonValue(), (steps, value) => {
        if (loads(JSON.stringify(mutate(base, steps, value))) === 'refused') refused++;
      }),
      { numRuns: 300, seed: 2 },
    );
    expect(refused).toBeGreaterThan(50);
  }, 30_000);
});
