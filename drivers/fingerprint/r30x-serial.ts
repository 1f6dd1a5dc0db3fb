import type { Clock } from '../../src/core/clock.js';
import type { Log } from '../../src/core/log.js';
import { SerialPortTransport } from '../serial/serialport-transport.js';
import { R30xPad, type R30xPadOptions } from './r30x.js';

/** The `fingerprint` config block for an R30x / AS608 module on a serial port. */
export interface R30xSerialConfig {
  path: string;
  /** 57600 unless the module was set otherwise (its baud setting N × 9600). */
  baudRate: number;
  address: number;
  password: number;
}

/** An R30xPad on a serial port; the port reopens on its own after a loss. */
export function createR30xSerialPad(
  config: R30xSerialConfig,
  clock: Clock,
  log?: Log,
  tuning: Omit<R30xPadOptions, 'address' | 'password' | 'clock' | 'log'> = {},
): R30xPad {
  const transport = new SerialPortTransport({ path: config.path, baudRate: config.baudRate }, clock);
  return new R30xPad(transport, { ...tuning, address: config.address, password: config.password, clock, log });
}
