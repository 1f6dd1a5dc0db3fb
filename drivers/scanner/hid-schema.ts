import * as z from '../../src/core/zod.js';
import { int, nonEmpty, obj } from '../../src/core/config-rules.js';

/** `devices.scanner` for a USB HID POS scanner, found by vendor and product id. */
export const scannerHidSchema = () =>
  obj({
    driver: z.literal('hid'),
    vendorId: int(0, 65_535),
    productId: int(0, 65_535),
    /** A hidraw path, to pick one of several identical scanners. */
    path: z.optional(nonEmpty('a hidraw device path, like /dev/hidraw0')),
  });

export type ScannerHidConfig = z.output<ReturnType<typeof scannerHidSchema>>;
