import type { Clock } from '../src/clock.js';
import type { CardConfig, FingerprintConfig, KeypadConfig, LocksConfig, ScannerConfig } from '../src/config/index.js';
import { silentLog, type Log } from '../src/log.js';
import type { CardReader } from './card/contract.js';
import { PcscCardReader } from './card/pcsc.js';
import type { FingerprintPad } from './fingerprint/contract.js';
import { R30xPad } from './fingerprint/r30x.js';
import { OnoffGpioChip } from './gpio/onoff-port.js';
import type { Keypad } from './keypad/contract.js';
import { MatrixKeypad } from './keypad/matrix.js';
import { SerialKeypad } from './keypad/serial.js';
import type { LockBank } from './locks/contract.js';
import { Cu16LockBank } from './locks/cu16.js';
import { GpioLockBank } from './locks/gpio.js';
import type { Scanner } from './scanner/contract.js';
import { HidScanner } from './scanner/hid.js';
import { nodeHidOpener } from './scanner/hid-node.js';
import { SerialScanner } from './scanner/serial.js';
import { SerialPortTransport } from './serial/serialport-transport.js';

/**
 * The real drivers, built from their config. Native modules load only when a
 * driver that needs them opens (each driver's tiny wrapper file does that),
 * so a kiosk without GPIO, HID or PC/SC never loads onoff, node-hid or
 * pcsclite.
 */
type Real<C> = Exclude<C, { driver: 'sim' } | null>;

function serial(path: string, baudRate: number, clock: Clock): SerialPortTransport {
  return new SerialPortTransport({ path, baudRate }, clock);
}

export function realKeypad(c: Real<KeypadConfig>, clock: Clock, log: Log = silentLog): Keypad {
  switch (c.driver) {
    case 'serial':
      return new SerialKeypad(serial(c.path, c.baudRate, clock), {}, clock, log);
    case 'gpio-matrix':
      return new MatrixKeypad(new OnoffGpioChip(), { rows: c.rows, cols: c.cols, layout: c.layout, debounceMs: c.debounceMs, scanIntervalMs: c.scanIntervalMs }, { clock, log });
  }
}

export function realScanner(c: Real<ScannerConfig>, clock: Clock, log: Log = silentLog): Scanner {
  switch (c.driver) {
    case 'serial':
      return new SerialScanner(serial(c.path, c.baudRate, clock), {}, clock, log);
    case 'hid':
      return new HidScanner(nodeHidOpener({ vendorId: c.vendorId, productId: c.productId, ...(c.path ? { path: c.path } : {}) }), { clock, log });
  }
}

export function realLocks(c: Real<LocksConfig>, clock: Clock, log: Log = silentLog): LockBank {
  switch (c.driver) {
    case 'cu16':
      return new Cu16LockBank(
        serial(c.path, c.baudRate, clock),
        { boards: c.boards, pollIntervalMs: c.pollIntervalMs, commandTimeoutMs: c.replyTimeoutMs, unlockConfirmMs: c.unlockConfirmMs },
        clock,
        log,
      );
    case 'gpio':
      return new GpioLockBank(new OnoffGpioChip(), { relays: c.relays, pulseMs: c.pulseMs }, { clock, log });
  }
}

export function realFingerprint(c: Real<FingerprintConfig>, clock: Clock): FingerprintPad {
  return new R30xPad(serial(c.path, c.baudRate, clock), { address: c.address, password: c.password });
}

export function realCard(c: Real<CardConfig>, clock: Clock, log: Log = silentLog): CardReader {
  return new PcscCardReader({ ...(c.reader ? { reader: c.reader } : {}), clock, log });
}
