/**
 * Config files, fuzzed (proof/lib/fuzz-config.ts, part 4 of `npm run proof`):
 * random JSON, and the shipped default with random members replaced. Loading
 * either yields a config or a ConfigError with problems a person can read,
 * never another exception.
 */
import { describe, expect, it } from 'vitest';
import { fuzzConfig } from '../../proof/lib/fuzz-config.js';

describe('config files, fuzzed', () => {
  it('random JSON and random text are a config or a ConfigError', () => {
    const { random } = fuzzConfig({ random: 200, mutated: 0, seeds: [1, 2] });
    expect(random.firstCrash).toBeNull();
    expect(random.crashes).toBe(0);
    expect(random.silentRefusals).toBe(0);
    expect(random.loaded + random.refused).toBe(200);
  });

  it('the default with random members replaced is a config or a ConfigError', () => {
    const { mutated } = fuzzConfig({ random: 0, mutated: 300, seeds: [1, 2] });
    expect(mutated.firstCrash).toBeNull();
    expect(mutated.crashes).toBe(0);
    expect(mutated.silentRefusals).toBe(0);
    expect(mutated.refused).toBeGreaterThan(50);
    expect(mutated.loaded + mutated.refused).toBe(300);
  }, 30_000);
});
