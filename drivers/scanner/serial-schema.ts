import * as z from '../../src/core/zod.js';
import { baudRate, obj, serialPath } from '../../src/core/config-rules.js';

/** `devices.scanner` for a barcode scanner in serial (or USB CDC) mode. */
export const scannerSerialSchema = () =>
  obj({
    driver: z.literal('serial'),
    path: serialPath(),
    baudRate: z._default(baudRate(), 9600),
  });

export type ScannerSerialConfig = z.output<ReturnType<typeof scannerSerialSchema>>;
