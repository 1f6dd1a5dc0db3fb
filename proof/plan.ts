/** How big each part of the proof is, full and quick. */
import type { FuzzPlan } from './fuzz.js';

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
  /** Inputs per inbound path (the tests in test/fuzz/ and test/e2e/link-fuzz.test.ts run the same code with their own counts). */
  fuzz: FuzzPlan;
  /** Kiosks whose certificates try kiosk-1's topics and the sellers' role on the shipped Mosquitto config. */
  aclIntruders: number;
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
  // Ten times the tests' runs.
  fuzz: { inbound: 15_000, configRandom: 2000, configMutated: 3000, http: 3000, linkPayloads: 100_000, linkBrokers: ['mosquitto', 'aedes'], seed: 20261202 },
  aclIntruders: 20,
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
  // A few seconds: the fuzz tests run their own, larger counts beside it.
  fuzz: { inbound: 300, configRandom: 50, configMutated: 100, http: 60, linkPayloads: 1000, linkBrokers: ['mosquitto'], seed: 20261202 },
  aclIntruders: 2,
};

export type Part = 'crash' | 'outage' | 'hostile' | 'fuzz' | 'brute' | 'privacy' | 'fleet' | 'acl';
/** In the order: 1 crash … 3 hostile, 4 fuzz, 5 brute … 7 fleet, 8 TLS and ACLs. */
export const PARTS: readonly Part[] = ['crash', 'outage', 'hostile', 'fuzz', 'brute', 'privacy', 'fleet', 'acl'];
