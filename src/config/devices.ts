import * as z from '../core/zod.js';
import { cardPcscSchema } from '../../drivers/card/pcsc-schema.js';
import { fingerprintR30xSchema } from '../../drivers/fingerprint/r30x-schema.js';
import { keypadGpioMatrixSchema } from '../../drivers/keypad/matrix-schema.js';
import { keypadSerialSchema } from '../../drivers/keypad/serial-schema.js';
import { locksCu12Schema } from '../../drivers/locks/cu12-schema.js';
import { locksCu16Schema } from '../../drivers/locks/cu16-schema.js';
import { locksCu48Schema } from '../../drivers/locks/cu48-schema.js';
import { locksGpioSchema } from '../../drivers/locks/gpio-schema.js';
import { locksSimSchema } from '../../drivers/locks/sim-schema.js';
import { scannerHidSchema } from '../../drivers/scanner/hid-schema.js';
import { scannerSerialSchema } from '../../drivers/scanner/serial-schema.js';
import { cashId003Schema } from '../../drivers/cash/schema.js';
import { locksModbusSchema } from '../../drivers/modbus/schema.js';
import { driverUnion, obj, simSchema, type DriverOutput } from './rules.js';

/**
 * The device section: one driver choice per device class. `sim` is the
 * in-process simulator; every other driver names real hardware.
 *
 * Each driver owns its schema and defaults (drivers/<class>/<driver>-schema.ts);
 * this file only lists their builders. A driver's schema is built only when
 * the config names that driver. A new driver is its schema file plus one entry
 * in its class's list below (and its case in src/app/devices.ts).
 */

const keypadDrivers = { sim: simSchema, serial: keypadSerialSchema, 'gpio-matrix': keypadGpioMatrixSchema };
const scannerDrivers = { sim: simSchema, serial: scannerSerialSchema, hid: scannerHidSchema };
const locksDrivers = { sim: locksSimSchema, cu16: locksCu16Schema, cu12: locksCu12Schema, cu48: locksCu48Schema, gpio: locksGpioSchema, modbus: locksModbusSchema };
const fingerprintDrivers = { sim: simSchema, r30x: fingerprintR30xSchema };
const cardDrivers = { sim: simSchema, pcsc: cardPcscSchema };
const cashDrivers = { sim: simSchema, id003: cashId003Schema };

/** Builds the device section's schema; each driver's own schema is built when an entry first names it. */
export function devicesSchema() {
  return obj({
    keypad: z.prefault(driverUnion(keypadDrivers), { driver: 'sim' }),
    scanner: z.prefault(driverUnion(scannerDrivers), { driver: 'sim' }),
    locks: z.prefault(driverUnion(locksDrivers), { driver: 'sim' }),
    fingerprint: z._default(z.nullable(driverUnion(fingerprintDrivers)), null),
    card: z._default(z.nullable(driverUnion(cardDrivers)), null),
    cash: z._default(z.nullable(driverUnion(cashDrivers)), null),
  });
}

export type SimDriverConfig = z.output<ReturnType<typeof simSchema>>;
export type KeypadConfig = DriverOutput<typeof keypadDrivers>;
export type ScannerConfig = DriverOutput<typeof scannerDrivers>;
export type LocksConfig = DriverOutput<typeof locksDrivers>;
export type FingerprintConfig = DriverOutput<typeof fingerprintDrivers>;
export type CardConfig = DriverOutput<typeof cardDrivers>;
export type CashConfig = DriverOutput<typeof cashDrivers>;
export type DevicesConfig = z.output<ReturnType<typeof devicesSchema>>;
// Each driver's own entry type, under the names the rest of the kiosk knows.
export type { KeypadSerialConfig } from '../../drivers/keypad/serial-schema.js';
export type { KeypadGpioMatrixConfig } from '../../drivers/keypad/matrix-schema.js';
export type { ScannerSerialConfig } from '../../drivers/scanner/serial-schema.js';
export type { ScannerHidConfig } from '../../drivers/scanner/hid-schema.js';
export type { LocksCu16Config } from '../../drivers/locks/cu16-schema.js';
export type { GpioRelayConfig, LocksGpioConfig } from '../../drivers/locks/gpio-schema.js';
export type { FingerprintR30xConfig } from '../../drivers/fingerprint/r30x-schema.js';
export type { CardPcscConfig } from '../../drivers/card/pcsc-schema.js';
