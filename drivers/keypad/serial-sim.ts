import { isKey } from './contract.js';
import type { ByteTransport } from '../serial/transport.js';

/**
 * How the simulated keypad talks:
 * - `byte`: one byte per key press (each press its own write);
 * - `line-per-key`: each key followed by a line ending (`1\r\n`);
 * - `line-entry`: the whole entry as one line (`1234#\r\n`), as keypads with a buffer send it.
 */
export type KeypadWireMode = 'byte' | 'line-per-key' | 'line-entry';

/**
 * A serial keypad's end of the line. `press('1234#')` sends the keys as the
 * configured device would. Attach it to the device end of a pty pair (or a
 * pipe); the caller opens and closes the transport.
 */
export class KeypadWireSim {
  /** Every key pressed with press(), in order. */
  readonly pressed: string[] = [];

  constructor(
    private readonly transport: ByteTransport,
    private readonly mode: KeypadWireMode = 'byte',
    private readonly ending = '\r\n',
  ) {}

  /** Presses the keys in order. Only 0-9 * # are keys: anything else is a script error. */
  async press(keys: string): Promise<void> {
    for (const k of keys) {
      if (!isKey(k)) throw new RangeError(`keypad sim: '${k}' is not a key (0-9 * #); use sendRaw for junk`);
    }
    this.pressed.push(...keys);
    switch (this.mode) {
      case 'byte':
        for (const k of keys) await this.transport.write(Buffer.from(k, 'latin1'));
        return;
      case 'line-per-key':
        for (const k of keys) await this.transport.write(Buffer.from(k + this.ending, 'latin1'));
        return;
      case 'line-entry':
        await this.transport.write(Buffer.from(keys + this.ending, 'latin1'));
        return;
      default: {
        const never: never = this.mode;
        return never;
      }
    }
  }

  /** Sends raw bytes: line noise, a half line, a wrong baud rate's garbage. */
  sendRaw(bytes: Buffer): Promise<void> {
    return this.transport.write(bytes);
  }
}
