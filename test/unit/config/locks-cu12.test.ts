import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'pk-cu12-'));
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

describe('config: devices.locks driver cu12', () => {
  it('a path and boards are a whole config; the rest is defaulted', () => {
    const c = load({ devices: { locks: { driver: 'cu12', path: '/dev/ttyUSB0', boards: [0, 1] } } });
    expect(Array.isArray(c) ? c : c.devices.locks).toEqual({
      driver: 'cu12',
      path: '/dev/ttyUSB0',
      baudRate: 19200,
      boards: [0, 1],
      pollIntervalMs: 40,
      replyTimeoutMs: 150,
      unlockConfirmMs: 1500,
      doorSensor: 'hook',
      busSlotMs: 10,
    });
  });

  it('names each bad field and what is allowed; channels beyond 12 a board are refused', () => {
    expect(load({ devices: { locks: { driver: 'cu12', path: '', boards: [0, 16, 0], doorSensor: 'open-high', extra: 1 } } })).toEqual([
      'devices.locks.path: must be the serial device path, like /dev/ttyUSB0 or /dev/serial/by-id/…, not ""',
      'devices.locks.boards[1]: must be a whole number from 0 to 15, not 16',
      'devices.locks.boards[2]: board 0 is listed twice (also at [0])',
      'devices.locks.doorSensor: must be "hook" or "none", not "open-high"',
      'devices.locks.extra: unknown key',
    ]);
    const compartments = [{ id: 'A13', size: 'S', channel: 13 }];
    expect(load({ compartments, devices: { locks: { driver: 'cu12', path: '/dev/ttyUSB0', boards: [0] } } })).toEqual([
      'compartments[0].channel: 13 is beyond the cu12 locks: 1 board(s) (0) drive channels 1 to 12; add a board to devices.locks.boards',
    ]);
  });
});
