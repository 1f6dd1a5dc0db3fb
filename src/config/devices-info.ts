import type { Config } from './schema.js';

export type DeviceClass = 'keypad' | 'scanner' | 'locks' | 'fingerprint' | 'card' | 'cash';

export const DEVICE_CLASSES: readonly DeviceClass[] = ['keypad', 'scanner', 'locks', 'fingerprint', 'card', 'cash'];

/** True when the device class is configured with its simulator. An absent (null) device is not simulated. */
export function isSimulated(c: Config, cls: DeviceClass): boolean {
  return c.devices[cls]?.driver === 'sim';
}

/**
 * True when any configured device is real hardware. The sim control endpoints
 * (/sim/…) exist only when this is false: a real kiosk must not be drivable
 * over HTTP.
 */
export function hasRealDrivers(c: Config): boolean {
  return DEVICE_CLASSES.some((cls) => {
    const d = c.devices[cls];
    return d !== null && d.driver !== 'sim';
  });
}
