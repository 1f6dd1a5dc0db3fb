import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The longest files start first, so none of them is left to run alone at
 * the end: the proof's quick mode and the screen in Chromium. After them,
 * vitest's own order (the slowest of the last run first; on a fresh clone,
 * the largest file first).
 */
const FIRST = ['test/proof/', 'test/browser/'];

/** Unit files that replace modules with vi.mock: they must not share a module graph. */
const ISOLATED = ['test/unit/cli/dispatch.test.ts'];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification): number => {
      const i = FIRST.findIndex((p) => f.moduleId.includes(`/${p}`));
      return i === -1 ? FIRST.length : i;
    };
    return sorted.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map((x) => x.f);
  }
}

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Most files wait on sockets, ptys, child processes and timers, not the
    // CPU: four at a time on two cores (vitest's default here would be one).
    maxWorkers: 4,
    minWorkers: 1,
    sequence: { sequencer: LongestFirst },
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          // Pure unit and fuzz files share their worker's loaded modules: loading
          // them afresh for each of ~80 files cost more CPU than running them.
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/fuzz/**/*.test.ts'],
          exclude: [...ISOLATED],
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          // Files that start kiosks, devices, brokers and browsers, and the ones
          // that mock modules, each get a fresh module graph.
          name: 'system',
          include: ['test/**/*.test.ts'],
          exclude: ['test/unit/**', 'test/fuzz/**'],
        },
      },
      { extends: true, test: { name: 'mocked', include: [...ISOLATED] } },
    ],
  },
});
