/**
 * Event-loop lag for /metrics: a timer that notes how late each of its ticks
 * fires. Ten ticks a second cost less than perf_hooks' monitorEventLoopDelay
 * did at a 20 ms resolution (fifty wake-ups a second, a native histogram and
 * the perf_hooks modules loaded at every start), and a hold of the loop longer
 * than a tick shows in full as the next tick's lateness.
 */
export interface LagFigures {
  /** Ticks seen since the previous take(). */
  count: number;
  /** Seconds. */
  p50: number;
  p99: number;
  max: number;
}

export interface LoopLag {
  /** The figures since the previous take(), which starts a new period. */
  take(): LagFigures;
  stop(): void;
}

const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export function sampleLoopLag(everyMs = 100, keep = 3000): LoopLag {
  // A ring of the latest `keep` lateness values (ms); older ones only count in max.
  const ring = new Float64Array(keep);
  let n = 0;
  let max = 0;
  let due = nowMs() + everyMs;
  const timer = setInterval(() => {
    const now = nowMs();
    const late = Math.max(0, now - due);
    due = now + everyMs;
    ring[n % keep] = late;
    n++;
    if (late > max) max = late;
  }, everyMs);
  timer.unref();
  return {
    take() {
      const seen = Array.from(ring.subarray(0, Math.min(n, keep))).sort((a, b) => a - b);
      const q = (p: number): number => (seen.length === 0 ? 0 : seen[Math.min(seen.length - 1, Math.floor(p * seen.length))] / 1000);
      const figures = { count: n, p50: q(0.5), p99: q(0.99), max: max / 1000 };
      n = 0;
      max = 0;
      return figures;
    },
    stop() {
      clearInterval(timer);
    },
  };
}
