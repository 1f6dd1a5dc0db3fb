/**
 * How wrong codes limit further tries. Pure: the counts come from the store,
 * time from the caller. Two rules, each with its own reason:
 *
 * - Per parcel, against guessing one parcel's code: a limit of wrong codes
 *   (`perParcelOnline`, 5, the seller's own count, where the seller decides
 *   online; `perParcel`, 10, where the kiosk decides offline), then
 *   `locked-out`; between tries on that parcel a wait that grows from the
 *   `parcelFreeFailures`-th wrong code on.
 * - Across the kiosk, against a spray of guesses over many parcels: a wait only
 *   when wrong codes within `kioskWindowMs` name at least `kioskSprayParcels`
 *   different parcels (card and PIN failures each count as one more). Wrong
 *   codes for one parcel never make a stranger with another parcel wait.
 */
export interface AttemptLimits {
  /** Wrong codes on one parcel checked offline before it is locked out. */
  perParcel: number;
  /** Wrong codes on one parcel the seller checks online (the seller locks it after as many). */
  perParcelOnline: number;
  /** Wrong codes on one parcel that cost no wait. */
  parcelFreeFailures: number;
  /** The first wait on a parcel after its free failures; each further wrong code doubles it, up to the cap. */
  parcelWaitStartMs: number;
  parcelWaitMaxMs: number;
  /** Different parcels with wrong codes in the window at which the kiosk-wide wait begins. */
  kioskSprayParcels: number;
  /** The first kiosk-wide wait; each further parcel doubles it, up to the cap. */
  kioskBackoffStartMs: number;
  kioskBackoffMaxMs: number;
  /** Wrong codes older than this no longer count across the kiosk. */
  kioskWindowMs: number;
}

export const DEFAULT_LIMITS: AttemptLimits = {
  perParcel: 10,
  perParcelOnline: 5,
  parcelFreeFailures: 2,
  parcelWaitStartMs: 10_000,
  parcelWaitMaxMs: 300_000,
  kioskSprayParcels: 3,
  kioskBackoffStartMs: 30_000,
  kioskBackoffMaxMs: 900_000,
  kioskWindowMs: 3_600_000,
};

function doubling(start: number, max: number, steps: number): number {
  return Math.min(max, start * 2 ** Math.min(steps, 30));
}

/** The wrong codes a parcel allows: the seller's count when it decides online, else the kiosk's. */
export function parcelLimit(online: boolean, l: AttemptLimits): number {
  return online ? l.perParcelOnline : l.perParcel;
}

/** Tries left on a parcel after `failures` wrong codes (0: locked out). */
export function triesLeft(failures: number, online: boolean, l: AttemptLimits): number {
  return Math.max(0, parcelLimit(online, l) - failures);
}

/**
 * When the next try on one parcel may go ahead, after `failures` wrong codes
 * on it, the last at `lastAt`: 2 free, then 10 s, 20 s, 40 s … (defaults).
 * Returns the time (≤ now: go ahead).
 */
export function parcelNextTry(failures: number, lastAt: number | null, l: AttemptLimits): number {
  if (lastAt === null || failures < l.parcelFreeFailures) return 0;
  return lastAt + doubling(l.parcelWaitStartMs, l.parcelWaitMaxMs, failures - l.parcelFreeFailures);
}

/**
 * When the next try anywhere at the kiosk may go ahead, given how many
 * different parcels had wrong codes in the window (the last at `lastAt`):
 * below `kioskSprayParcels` no wait; at it 30 s, one more 60 s … (defaults).
 */
export function kioskNextTry(parcels: number, lastAt: number | null, l: AttemptLimits): number {
  if (lastAt === null || parcels < l.kioskSprayParcels) return 0;
  return lastAt + doubling(l.kioskBackoffStartMs, l.kioskBackoffMaxMs, parcels - l.kioskSprayParcels);
}

/** Whether a parcel may still be checked offline after `failures` wrong codes. */
export function offlineAllowed(failures: number, l: AttemptLimits): boolean {
  return failures < l.perParcel;
}
