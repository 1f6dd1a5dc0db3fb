/**
 * driverUnion builds a driver's schema only when an entry names that driver,
 * once per union, and words its problems as the config report expects.
 */
import { describe, expect, it } from 'vitest';
import * as z from '../../../src/core/zod.js';
import { driverUnion, int, obj } from '../../../src/core/config-rules.js';

function counted() {
  const built: string[] = [];
  const union = driverUnion({
    sim: () => {
      built.push('sim');
      return obj({ driver: z.literal('sim') });
    },
    serial: () => {
      built.push('serial');
      return obj({ driver: z.literal('serial'), baudRate: z._default(int(110, 4_000_000), 9600) });
    },
  });
  return { built, union };
}

function messages(r: { success: boolean; error?: z.core.$ZodError }): string[] {
  return r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
}

describe('driverUnion', () => {
  it('builds no driver schema until an entry names one, then only that one, once', () => {
    const { built, union } = counted();
    expect(built).toEqual([]);
    expect(union.parse({ driver: 'serial' })).toEqual({ driver: 'serial', baudRate: 9600 });
    expect(union.parse({ driver: 'serial', baudRate: 19200 })).toEqual({ driver: 'serial', baudRate: 19200 });
    expect(built).toEqual(['serial']);
    expect(union.parse({ driver: 'sim' })).toEqual({ driver: 'sim' });
    expect(built).toEqual(['serial', 'sim']);
  });

  it('does not build a schema for an unknown or missing driver, and lists the drivers in order', () => {
    const { built, union } = counted();
    expect(messages(union.safeParse({ driver: 'seriel' }))).toEqual(['driver: "seriel" is not one of sim, serial']);
    expect(messages(union.safeParse({ driver: 'toString' }))).toEqual(['driver: "toString" is not one of sim, serial']);
    expect(messages(union.safeParse({ driver: 7 }))).toEqual(['driver: must be one of sim, serial, not 7']);
    expect(messages(union.safeParse({}))).toEqual(['driver: is required: one of sim, serial']);
    expect(messages(union.safeParse('sim'))).toEqual([': "sim" must be an object with "driver": one of sim, serial']);
    expect(messages(union.safeParse(null))).toEqual([': must be an object with "driver": one of sim, serial, not null']);
    expect(built).toEqual([]);
  });

  it("passes up the chosen driver's problems with their paths and wording", () => {
    const { union } = counted();
    const r = z.object({ keypad: union }).safeParse({ keypad: { driver: 'serial', baudRate: 5, parity: 'odd' } });
    expect(messages(r)).toEqual(['keypad.baudRate: must be a whole number from 110 to 4000000, not 5', 'keypad: allowed: driver, baudRate']);
  });
});
