import { z } from 'zod';
import { nonEmpty, obj } from '../../src/core/config-rules.js';

/** `devices.card` for a PC/SC reader (pcscd). */
export const cardPcscSchema = () =>
  obj({
    driver: z.literal('pcsc'),
    /** A reader name (or the start of one); without it the first reader is used. */
    reader: nonEmpty('a PC/SC reader name').optional(),
  });

export type CardPcscConfig = z.output<ReturnType<typeof cardPcscSchema>>;
