/**
 * How failed code attempts limit further tries. Pure: the counts come from
 * the store, time from the caller.
 */
export interface AttemptLimits {
  /** Failures on one parcel after which it is no longer checked offline. */
  perParcel: number;
  /** Failures across the kiosk (within the window) that cost no wait. */
  kioskFreeFailures: number;
  /** The first wait once the free failures are used up; each further failure doubles it. */
  kioskBackoffStartMs: number;
  kioskBackoffMaxMs: number;
  /** Failures older than this no longer count across the kiosk. */
  kioskWindowMs: number;
}

/**
 * How long the kiosk must wait before the next try, given `count` failures
 * in the window, the last at `lastAt`. 0 when a try may go ahead now.
 * Waits grow 30 s, 60 s, 120 s … (with the defaults) up to the cap.
 */
export function kioskWaitMs(count: number, lastAt: number | null, now: number, l: AttemptLimits): number {
  if (lastAt === null || count <= l.kioskFreeFailures) return 0;
  const steps = Math.min(count - l.kioskFreeFailures - 1, 30);
  const wait = Math.min(l.kioskBackoffMaxMs, l.kioskBackoffStartMs * 2 ** steps);
  return Math.max(0, lastAt + wait - now);
}

/** Whether a parcel may still be checked offline after `failures` wrong codes. */
export function offlineAllowed(failures: number, l: AttemptLimits): boolean {
  return failures < l.perParcel;
}
