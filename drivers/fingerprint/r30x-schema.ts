import * as z from '../../src/core/zod.js';
import { baudRate, int, obj, serialPath } from '../../src/core/config-rules.js';
import { DEFAULT_ADDRESS, DEFAULT_PASSWORD } from './r30x-codec.js';

/** `devices.fingerprint` (defaults are the codec's, which the driver uses too) for an R30x-family pad (R307, R503, AS608) on a serial line. */
export const fingerprintR30xSchema = () =>
  obj({
    driver: z.literal('r30x'),
    path: serialPath(),
    baudRate: z._default(baudRate(), 57600),
    address: z._default(int(0, 0xffffffff), DEFAULT_ADDRESS),
    password: z._default(int(0, 0xffffffff), DEFAULT_PASSWORD),
  });

export type FingerprintR30xConfig = z.output<ReturnType<typeof fingerprintR30xSchema>>;
