import * as z from '../../src/core/zod.js';
import { obj, oneOf } from '../../src/core/config-rules.js';
import { cuBusFields } from './cu16-schema.js';

/**
 * `devices.locks` for Kerong CU48 boards (driver `cu48`): 48 locks a board,
 * `boards` in channel order ([0, 1] → channels 1-48 on board 0, 49-96 on
 * board 1). The driver's own schema, composed into the config by src/config.
 */
export const locksCu48Schema = () =>
  obj({
    driver: z.literal('cu48'),
    ...cuBusFields(),
    /** Where the door state comes from: the lock's hook (latch released = open, the default) or nowhere. The CU48 status carries no sensor bits. */
    doorSensor: z._default(oneOf(['hook', 'none']), 'hook'),
  });

export type LocksCu48Config = z.output<ReturnType<typeof locksCu48Schema>>;
