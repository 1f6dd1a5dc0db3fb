import type { Clock } from '../src/clock.js';
import type { Config } from '../src/config/index.js';
import { SimCardReader } from './card/sim.js';
import { SimCashAcceptor } from './cash/sim.js';
import type { Devices, Sims } from './devices.js';
import { SimFingerprintPad } from './fingerprint/sim.js';
import { SimKeypad } from './keypad/sim.js';
import { SimLockBank } from './locks/sim.js';
import { realCard, realFingerprint, realKeypad, realLocks, realScanner } from './real.js';
import { SimScanner } from './scanner/sim.js';

/**
 * Builds every configured device: the in-process simulator where the config
 * says `sim`, the real driver otherwise. The only place (with app.ts) that
 * knows which is which.
 */
export function buildDevices(config: Config, clock: Clock): { devices: Devices; sims: Sims } {
  const d = config.devices;
  const channels = config.compartments.map((c) => c.channel);
  const sims: Sims = { keypad: null, scanner: null, locks: null, fingerprint: null, card: null, cash: null };

  const keypad = d.keypad.driver === 'sim' ? (sims.keypad = new SimKeypad()) : realKeypad(d.keypad, clock);
  const scanner = d.scanner.driver === 'sim' ? (sims.scanner = new SimScanner()) : realScanner(d.scanner, clock);
  const locks = d.locks.driver === 'sim' ? (sims.locks = new SimLockBank(channels, clock)) : realLocks(d.locks, clock);
  const fingerprint =
    d.fingerprint === null ? null : d.fingerprint.driver === 'sim' ? (sims.fingerprint = new SimFingerprintPad()) : realFingerprint(d.fingerprint, clock);
  const card = d.card === null ? null : d.card.driver === 'sim' ? (sims.card = new SimCardReader()) : realCard(d.card, clock);
  // The only cash acceptor so far is the simulator (a real one's driver is still to come).
  const cash = d.cash === null ? null : (sims.cash = new SimCashAcceptor());
  return { devices: { keypad, scanner, locks, fingerprint, card, cash, others: [] }, sims };
}
