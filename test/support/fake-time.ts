/**
 * Driving a driver on a FakeClock over an in-process pipe: the pipe delivers
 * bytes on setImmediate turns, so fake time moves in 1 ms steps with a few
 * turns between them.
 */
import type { FakeClock } from './fake-clock.js';

/** A few event-loop turns: enough for the pipe to deliver what was written. */
export const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
};

/** Moves fake time in 1 ms steps, letting the pipe deliver bytes between steps. */
export async function run(clock: FakeClock, ms: number): Promise<void> {
  for (let i = 0; i < ms; i++) {
    clock.advance(1);
    await flush();
  }
}

/** Resolves `p` while moving fake time; fails if it takes longer than `maxMs`. */
export async function settle<T>(clock: FakeClock, p: Promise<T>, maxMs = 3000): Promise<T> {
  let done = false;
  const tracked = p.finally(() => {
    done = true;
  });
  tracked.catch(() => undefined);
  for (let i = 0; i < maxMs && !done; i++) {
    await flush();
    if (done) break;
    clock.advance(1);
  }
  await flush();
  if (!done) throw new Error(`still pending after ${maxMs} ms of fake time`);
  return tracked;
}
