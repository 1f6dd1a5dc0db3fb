/** How big each part of the proof is, full and quick. */
export interface Plan {
  crashPoints: number;
  /** A time box for the crash part (minutes), or null: the points decide. */
  crashMinutes: number | null;
  /** Kiosks the crash points are spread over, run side by side (each with its own data directory, broker and seller). */
  crashShards: number;
  /** Run the parts at the same time (each has a world of its own) rather than one after another. */
  concurrent: boolean;
  outagePickups: number;
  hostileRounds: number;
  bruteTries: number;
  brutePacedSeconds: number;
  /**
   * The kiosk-wide wait after a spray starts at this (ms; `attempts.kioskBackoffStartMs`
   * in the brute-force kiosk's config), or null: the kiosk's default, 30 s.
   */
  bruteBackoffStartMs: number | null;
  privacyPerMedium: number;
  fleet: { kiosks: number; seconds: number; eventsPerSecond: number; verifiesPerSecond: number; withParcels: number };
}

export const FULL: Plan = {
  crashPoints: 1000,
  crashMinutes: null,
  crashShards: 1,
  concurrent: false,
  outagePickups: 100,
  hostileRounds: 3,
  bruteTries: 1000,
  brutePacedSeconds: 120,
  bruteBackoffStartMs: null,
  privacyPerMedium: 20,
  fleet: { kiosks: 1000, seconds: 120, eventsPerSecond: 200, verifiesPerSecond: 20, withParcels: 200 },
};

export const QUICK: Plan = {
  crashPoints: 30,
  crashMinutes: null,
  crashShards: 3,
  concurrent: true,
  outagePickups: 10,
  hostileRounds: 1,
  bruteTries: 40,
  brutePacedSeconds: 5,
  // The right code still waits out the spray's wait before its door opens; 12 s instead
  // of 30 keeps that wait (and the paced guesser's) without idling the quick run for it.
  bruteBackoffStartMs: 12_000,
  privacyPerMedium: 2,
  fleet: { kiosks: 50, seconds: 6, eventsPerSecond: 50, verifiesPerSecond: 10, withParcels: 10 },
};

export type Part = 'crash' | 'outage' | 'hostile' | 'brute' | 'privacy' | 'fleet';
export const PARTS: readonly Part[] = ['crash', 'outage', 'hostile', 'brute', 'privacy', 'fleet'];
