import { TypedEmitter } from '../../src/core/events.js';
import { isKey, type Key, type Keypad, type KeypadEvents } from './contract.js';

/**
 * The kiosk's keypad as the flows see it: the keys of the hardware keypad and
 * the keys typed on the screen (its touch keypad, or a keyboard at the kiosk),
 * in the order they come. Opening and closing stay with the hardware keypad.
 */
export class JoinedKeypad extends TypedEmitter<KeypadEvents> implements Keypad {
  readonly name: string;
  private readonly forward = (k: Key): void => void this.emit('key', k);

  constructor(private readonly hardware: Keypad) {
    super();
    this.name = `${hardware.name}+screen`;
    hardware.on('key', this.forward);
  }

  /** Stops taking the hardware keypad's keys (the kiosk stopped; the hardware may live on). */
  detach(): void {
    this.hardware.off('key', this.forward);
  }

  open(): Promise<void> {
    return this.hardware.open();
  }

  close(): Promise<void> {
    return this.hardware.close();
  }

  /** Keys typed on the screen; anything that is not a key is dropped, as a keypad would. Returns how many were keys. */
  type(keys: string): number {
    let n = 0;
    for (const k of keys) {
      if (!isKey(k)) continue;
      n++;
      this.emit('key', k);
    }
    return n;
  }
}
