import type { Clock } from '../src/clock.js';
import type { CardConfig, FingerprintConfig, KeypadConfig, LocksConfig, ScannerConfig } from '../src/config/index.js';
import type { CardReader } from './card/contract.js';
import { DeviceError } from './errors.js';
import type { FingerprintPad } from './fingerprint/contract.js';
import type { Keypad } from './keypad/contract.js';
import type { LockBank } from './locks/contract.js';
import type { Scanner } from './scanner/contract.js';

type Real<C> = Exclude<C, { driver: 'sim' } | null>;

function notWired(what: string): never {
  throw new DeviceError('not-found', `${what} is not wired into this build yet`);
}

export function realKeypad(c: Real<KeypadConfig>, _clock: Clock): Keypad {
  return notWired(`keypad driver ${c.driver}`);
}
export function realScanner(c: Real<ScannerConfig>, _clock: Clock): Scanner {
  return notWired(`scanner driver ${c.driver}`);
}
export function realLocks(c: Real<LocksConfig>, _channels: readonly number[], _clock: Clock): LockBank {
  return notWired(`locks driver ${c.driver}`);
}
export function realFingerprint(c: Real<FingerprintConfig>, _clock: Clock): FingerprintPad {
  return notWired(`fingerprint driver ${c.driver}`);
}
export function realCard(c: Real<CardConfig>): CardReader {
  return notWired(`card driver ${c.driver}`);
}
