import type { TypedEmitter } from '../../src/core/events.js';
import type { ConnectionEvents, DriverBase } from '../lifecycle.js';

/** The keys of a kiosk keypad. Anything else a device sends is dropped by the driver. */
export type Key = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | '*' | '#';

export const KEYS: readonly Key[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#'];

export function isKey(s: string): s is Key {
  return (KEYS as readonly string[]).includes(s);
}

export type KeypadEvents = ConnectionEvents & {
  /** One key press, in the order pressed. */
  key: [key: Key];
};

/** A keypad: it only emits key presses. */
export interface Keypad extends DriverBase, TypedEmitter<KeypadEvents> {}
