/**
 * Each driver owns its config schema and defaults; src/config composes them.
 * A driver built directly and one built from a config file agree on every
 * default, and the options a driver has are settable from the file.
 */
import { describe, expect, it } from 'vitest';
import { parseOptions } from '../../../src/core/config-rules.js';
import { validateConfig, type Config } from '../../../src/config/index.js';
import { resolveCu16Options } from '../../../drivers/locks/cu16-options.js';
import { gpioLockOptionsSchema } from '../../../drivers/locks/gpio-schema.js';
import { matrixKeypadOptionsSchema } from '../../../drivers/keypad/matrix-schema.js';

function devices(d: unknown): Config['devices'] {
  const r = validateConfig({ kioskId: 'k1', compartments: [{ id: 'A01', size: 'S', channel: 1 }], devices: d }, '/base');
  if (!r.ok) throw new Error(r.problems.join('\n'));
  return r.config.devices;
}

function problems(d: unknown): string[] {
  const r = validateConfig({ kioskId: 'k1', compartments: [{ id: 'A01', size: 'S', channel: 1 }], devices: d }, '/base');
  return r.ok ? [] : r.problems;
}

describe('driver schemas composed into the config', () => {
  it('a CU16 bank built without options uses the config file defaults', () => {
    const locks = devices({ locks: { driver: 'cu16', path: '/dev/ttyUSB0', boards: [0] } }).locks;
    if (locks.driver !== 'cu16') throw new Error('cu16 expected');
    const direct = resolveCu16Options({ boards: [0] });
    expect(direct).toMatchObject({
      pollIntervalMs: locks.pollIntervalMs,
      commandTimeoutMs: locks.replyTimeoutMs,
      unlockConfirmMs: locks.unlockConfirmMs,
      doorSensor: locks.doorSensor,
    });
    expect(direct.commandTimeoutMs).toBe(200);
  });

  it('a matrix keypad and a GPIO lock bank built directly get the config file defaults', () => {
    const d = devices({
      keypad: { driver: 'gpio-matrix', rows: [1, 2, 3, 4], cols: [5, 6, 7] },
      locks: { driver: 'gpio', relays: [{ channel: 1, relayGpio: 20, doorGpio: 21 }] },
    });
    const { driver: _k, ...keypad } = d.keypad as Extract<Config['devices']['keypad'], { driver: 'gpio-matrix' }>;
    expect(parseOptions(matrixKeypadOptionsSchema(), { rows: [1, 2, 3, 4], cols: [5, 6, 7] }, 'keypad')).toEqual(keypad);
    expect(keypad).toMatchObject({ debounceMs: 20, scanIntervalMs: 5, activeLow: true });
    const { driver: _l, ...locks } = d.locks as Extract<Config['devices']['locks'], { driver: 'gpio' }>;
    expect(parseOptions(gpioLockOptionsSchema(), { relays: [{ channel: 1, relayGpio: 20, doorGpio: 21 }] }, 'locks')).toEqual(locks);
  });

  it('sets from the file what only the driver could set before: gpio confirmMs, matrix activeLow, CU16 doorSensor', () => {
    const d = devices({
      keypad: { driver: 'gpio-matrix', rows: [1, 2, 3, 4], cols: [5, 6, 7], activeLow: false },
      locks: { driver: 'gpio', confirmMs: 4000, debounceMs: 10, pollMs: 100, relays: [{ channel: 1, relayGpio: 20, doorGpio: 21 }] },
    });
    expect(d.keypad).toMatchObject({ activeLow: false });
    expect(d.locks).toMatchObject({ confirmMs: 4000, debounceMs: 10, pollMs: 100 });
    const cu16 = devices({ locks: { driver: 'cu16', path: '/dev/ttyUSB0', boards: [0], doorSensor: 'none' } });
    expect(cu16.locks).toMatchObject({ doorSensor: 'none' });
  });

  it('reports bad driver options with their path, every one at once, and guesses typos', () => {
    expect(
      problems({
        keypad: { driver: 'gpio-matrix', rows: [1, 2, 3, 4], cols: [5, 6, 7], activeLow: 'yes' },
        locks: { driver: 'cu16', path: '/dev/ttyUSB0', boards: [0], doorsensor: 'none', replyTimeoutMs: 5 },
      }),
    ).toEqual([
      'devices.keypad.activeLow: "yes" must be true or false',
      'devices.locks.replyTimeoutMs: must be a whole number from 10 to 10000, not 5',
      expect.stringMatching(/^devices\.locks\.doorsensor: unknown key; did you mean "doorSensor"\?/),
    ]);
    expect(problems({ locks: { driver: 'cu16', path: '/dev/ttyUSB0', boards: [0], doorSensor: 'open' } })).toEqual([
      'devices.locks.doorSensor: "open" is not one of open-high, open-low, none',
    ]);
    expect(problems({ locks: { driver: 'gpio', confirmMs: 50, relays: [{ channel: 1, relayGpio: 20, doorGpio: 20 }] } })).toEqual([
      'devices.locks.confirmMs: must be a whole number from 100 to 60000, not 50',
      'devices.locks.relays[0].doorGpio: GPIO 20 is also used by relays[0].relayGpio',
    ]);
  });
});
