import { TypedEmitter } from '../../src/core/events.js';
import { isKey, type Keypad, type KeypadEvents } from './contract.js';

/** An in-process keypad for the simulated kiosk: `press('1234#')` emits those keys in order. */
export class SimKeypad extends TypedEmitter<KeypadEvents> implements Keypad {
  readonly name = 'keypad:sim';
  private opened = false;

  async open(): Promise<void> {
    this.opened = true;
  }

  async close(): Promise<void> {
    this.opened = false;
  }

  /** Presses keys in order. Returns how many were keys (anything else is ignored, as a real pad would). */
  press(keys: string): number {
    let n = 0;
    if (!this.opened) return 0;
    for (const k of keys) {
      if (!isKey(k)) continue;
      n++;
      this.emit('key', k);
    }
    return n;
  }
}
