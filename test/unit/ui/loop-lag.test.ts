import { afterEach, describe, expect, it } from 'vitest';
import { sampleLoopLag, type LoopLag } from '../../../src/ui/loop-lag.js';

const hold = (ms: number): void => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // the event loop is held, as by a long synchronous task
  }
};
const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let lag: LoopLag | null = null;
afterEach(() => {
  lag?.stop();
  lag = null;
});

describe('event-loop lag sampler', () => {
  it('reports a hold of the loop as the next tick lateness, then starts a new period', async () => {
    lag = sampleLoopLag(20);
    await wait(70);
    hold(300);
    await wait(50);
    const f = lag.take();
    expect(f.count).toBeGreaterThanOrEqual(3);
    expect(f.max).toBeGreaterThanOrEqual(0.25);
    expect(f.max).toBeLessThan(2);
    expect(f.p99).toBeGreaterThanOrEqual(f.p50);
    await wait(70);
    const next = lag.take();
    expect(next.count).toBeGreaterThanOrEqual(1);
    expect(next.max).toBeLessThan(0.25); // the hold belongs to the previous period
  });

  it('reports zeros when no tick was seen', () => {
    lag = sampleLoopLag(10_000);
    expect(lag.take()).toEqual({ count: 0, p50: 0, p99: 0, max: 0 });
  });
});
