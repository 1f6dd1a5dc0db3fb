import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'pk-cu48-'));
let n = 0;

function load(content: Record<string, unknown>): ReturnType<typeof loadConfig> | string[] {
  const f = path.join(dir, `c${n++}.json`);
  writeFileSync(f, JSON.stringify({ kioskId: 'k1', ...content }));
  try {
    return loadConfig({ configPath: f });
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}

describe('config: devices.locks driver cu48', () => {
  it('a path and boards are a whole config; the rest is defaulted', () => {
    const c = load({ devices: { locks: { driver: 'cu48', path: '/dev/ttyUSB0', boards: [0] } } });
    expect(Array.isArray(c) ? c : c.devices.locks).toEqual({
      driver: 'cu48',
      path: '/dev/ttyUSB0',
      baudRate: 19200,
      boards: [0],
      pollIntervalMs: 40,
      replyTimeoutMs: 200,
      unlockConfirmMs: 1500,
      doorSensor: 'hook',
    });
  });

  it('names each bad field; channels beyond 48 a board are refused', () => {
    const bad = load({ devices: { locks: { driver: 'cu48', path: '/dev/ttyUSB0', boards: [1, 1], doorSensor: 'open-high' } } });
    expect(bad).toEqual([
      'devices.locks.boards[1]: board 1 is listed twice (also at [0])',
      'devices.locks.doorSensor: "open-high" is not one of hook, none',
    ]);
    const compartments = [{ id: 'B01', size: 'S', channel: 49 }];
    expect(load({ compartments, devices: { locks: { driver: 'cu48', path: '/dev/ttyUSB0', boards: [0] } } })).toEqual([
      'compartments[0].channel: 49 is beyond the cu48 locks: 1 board(s) (0) drive channels 1 to 48; add a board to devices.locks.boards',
    ]);
    const two = load({ compartments, devices: { locks: { driver: 'cu48', path: '/dev/ttyUSB0', boards: [0, 1] } } });
    expect(Array.isArray(two)).toBe(false);
  });
});
