import type { CardReader } from './card/contract.js';
import type { CashAcceptor } from './cash/contract.js';
import type { SimCashAcceptor } from './cash/sim.js';
import type { SimCardReader } from './card/sim.js';
import type { FingerprintPad } from './fingerprint/contract.js';
import type { SimFingerprintPad } from './fingerprint/sim.js';
import type { Keypad } from './keypad/contract.js';
import type { SimKeypad } from './keypad/sim.js';
import type { LockBank } from './locks/contract.js';
import type { SimLockBank } from './locks/sim.js';
import type { Scanner } from './scanner/contract.js';
import type { SimScanner } from './scanner/sim.js';

/** The kiosk's devices, as the flows see them (contracts only). */
export interface Devices {
  keypad: Keypad;
  scanner: Scanner;
  locks: LockBank;
  fingerprint: FingerprintPad | null;
  card: CardReader | null;
  cash: CashAcceptor | null;
  /** Extra drivers that exist only to be closed with the rest (e.g. wire simulators). */
  others: Array<{ close(): Promise<void> }>;
}

/** The in-process simulators behind a simulated kiosk, for /sim/* (null where that class is real or absent). */
export interface Sims {
  keypad: SimKeypad | null;
  scanner: SimScanner | null;
  locks: SimLockBank | null;
  fingerprint: SimFingerprintPad | null;
  card: SimCardReader | null;
  cash: SimCashAcceptor | null;
}
