import type { FingerprintPad } from '../../drivers/fingerprint/contract.js';
import type { LockBank } from '../../drivers/locks/contract.js';
import type { Clock } from '../core/clock.js';
import type { Config } from '../config/index.js';
import type { TrustStore, X25519KeyPair } from '../domain/index.js';
import type { OnlineRequest, OnlineResult } from '../link/index.js';
import type { Log } from '../core/log.js';
import type { Store } from '../store/index.js';
import type { Reporter } from './reporter.js';

/** The seller link as the flows see it (its request and answer types are the link's own). */
export interface OnlineVerifier {
  verifyOnline(req: OnlineRequest): Promise<OnlineResult>;
}

export type { OnlineRequest, OnlineResult };

/** Everything a flow needs. Built once by app.ts. */
export interface FlowContext {
  config: Config;
  store: Store;
  locks: LockBank;
  clock: Clock;
  log: Log;
  /** Trusted seller keys for slips. */
  trust: TrustStore;
  kioskX25519: X25519KeyPair;
  reporter: Reporter;
  online: OnlineVerifier | null;
  /** The fingerprint pad, for parcels whose manifest gave a reference template. */
  fingerprint: FingerprintPad | null;
}
