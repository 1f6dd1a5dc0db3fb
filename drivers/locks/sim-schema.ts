import * as z from '../../src/core/zod.js';
import { bool, obj } from '../../src/core/config-rules.js';

/**
 * `devices.locks` for the in-process simulated lock bank (driver `sim`).
 * `itemSensors: true` gives every compartment an item sensor, as CU12 boards
 * have, driven from `POST /sim/item/{compartmentId}`; without it the bank has
 * none (itemPresent null), as most lock boards.
 */
export const locksSimSchema = () =>
  obj({
    driver: z.literal('sim'),
    itemSensors: z._default(bool(), false),
  });
