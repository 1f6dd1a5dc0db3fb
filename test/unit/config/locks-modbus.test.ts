/**
 * devices.locks with driver modbus: the shortest config keeps meaning
 * fail-secure relay locks on a Waveshare board; fail-safe locks are named per
 * bank or per map entry and reach the driver's wiring.
 */
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../src/config/index.js';
import { resolveModbusLocksOptions } from '../../../drivers/locks/modbus-options.js';
import { modbusLocksOptions, type LocksModbusConfig } from '../../../drivers/modbus/schema.js';

function locks(l: unknown, compartments: unknown[] = [{ id: 'A01', size: 'S', channel: 1 }]): LocksModbusConfig | string[] {
  const r = validateConfig({ kioskId: 'k1', compartments, devices: { locks: l } }, '/base');
  if (!r.ok) return r.problems;
  if (r.config.devices.locks.driver !== 'modbus') throw new Error('modbus expected');
  return r.config.devices.locks;
}

function wiring(l: unknown): Array<{ channel: number; failSafe: boolean }> {
  const c = locks(l);
  if (Array.isArray(c)) throw new Error(c.join('\n'));
  return resolveModbusLocksOptions(modbusLocksOptions(c)).wiring.map((w) => ({ channel: w.channel, failSafe: w.failSafe }));
}

describe('config: devices.locks driver modbus', () => {
  it('the shortest config is whole: 16 fail-secure channels on a Waveshare board', () => {
    const minimal = { driver: 'modbus', path: '/dev/ttyUSB0', baudRate: 9600, unitId: 1 };
    expect(locks(minimal)).toMatchObject({ driver: 'modbus', board: 'waveshare', channels: 16, pulseMs: 500, failSafe: false });
    const w = wiring(minimal);
    expect(w).toHaveLength(16);
    expect(w.every((x) => !x.failSafe)).toBe(true);
  });

  it('failSafe on the bank makes every channel fail-safe', () => {
    const w = wiring({ driver: 'modbus', path: '/dev/ttyUSB0', failSafe: true, channels: 4 });
    expect(w).toEqual([1, 2, 3, 4].map((channel) => ({ channel, failSafe: true })));
  });

  it("a map entry's failSafe wins over the bank's; left out, it is the bank's", () => {
    const map = { 1: { coil: 0, input: 0, failSafe: true }, 2: { coil: 1, input: 1 }, 3: { coil: 2, input: null, failSafe: false } };
    expect(wiring({ driver: 'modbus', path: '/dev/ttyUSB0', map })).toEqual([
      { channel: 1, failSafe: true },
      { channel: 2, failSafe: false },
      { channel: 3, failSafe: false },
    ]);
    expect(wiring({ driver: 'modbus', path: '/dev/ttyUSB0', failSafe: true, map })).toEqual([
      { channel: 1, failSafe: true },
      { channel: 2, failSafe: true },
      { channel: 3, failSafe: false },
    ]);
  });

  it('failSafe must be true or false, on the bank and in the map', () => {
    const bad = locks({ driver: 'modbus', path: '/dev/ttyUSB0', failSafe: 'yes', map: { 1: { coil: 0, failSafe: 1 } } });
    expect(bad).toEqual([
      'devices.locks.failSafe: Invalid input: expected boolean, received string',
      'devices.locks.map["1"].failSafe: Invalid input: expected boolean, received number',
    ]);
  });
});
