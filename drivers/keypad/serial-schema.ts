import * as z from '../../src/core/zod.js';
import { baudRate, obj, serialPath } from '../../src/core/config-rules.js';

/** Builds `devices.keypad` for a keypad that sends its keys as text over a serial line. */
export const keypadSerialSchema = () =>
  obj({
    driver: z.literal('serial'),
    path: serialPath(),
    baudRate: z._default(baudRate(), 9600),
  });

export type KeypadSerialConfig = z.output<ReturnType<typeof keypadSerialSchema>>;
