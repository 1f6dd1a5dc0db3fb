/**
 * Capped exponential backoff. `jitter` spreads a fleet of kiosks that lost
 * the same broker over the upper half of each step, so they do not all come
 * back in the same millisecond.
 */
export function backoffMs(attempt: number, startMs: number, maxMs: number, jitter: () => number = Math.random): number {
  const step = Math.min(maxMs, startMs * 2 ** Math.min(attempt, 30));
  return Math.round(step / 2 + (step / 2) * jitter());
}

/** Outbox retries: no jitter (rows are spread by their own times); `tries` sends so far. */
export function retryDelayMs(tries: number, startMs: number, maxMs: number): number {
  return Math.min(maxMs, startMs * 2 ** Math.min(tries, 30));
}
