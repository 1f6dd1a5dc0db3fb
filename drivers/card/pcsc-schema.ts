import * as z from '../../src/core/zod.js';
import { nonEmpty, obj } from '../../src/core/config-rules.js';

/** `devices.card` for a PC/SC reader (pcscd). */
export const cardPcscSchema = () =>
  obj({
    driver: z.literal('pcsc'),
    /** A reader name (or the start of one); without it the first reader is used. */
    reader: z.optional(nonEmpty('a PC/SC reader name')),
  });

export type CardPcscConfig = z.output<ReturnType<typeof cardPcscSchema>>;
