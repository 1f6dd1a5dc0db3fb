import { describe, expect, it } from 'vitest';
import { silentLog } from '../../../src/core/log.js';
import type { Notifier } from '../../../src/app/sd-notify.js';
import { Watchdog, watchdogIntervalMs, type HealthCheck } from '../../../src/app/watchdog.js';
import { FakeClock } from '../../support/fake-clock.js';

function recorder(): Notifier & { sent: Array<Record<string, string>> } {
  const sent: Array<Record<string, string>> = [];
  return { sent, send: (f) => sent.push(f), close: () => undefined };
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('watchdog', () => {
  it('pings every interval while every check passes', async () => {
    const clock = new FakeClock();
    const n = recorder();
    const w = new Watchdog({ notifier: n, clock, intervalMs: 5000, log: silentLog, checks: [{ name: 'ok', run: () => undefined }] });
    w.start();
    for (let i = 0; i < 3; i++) {
      clock.advance(i === 0 ? 0 : 5000);
      await flush();
    }
    expect(n.sent.filter((m) => m.WATCHDOG === '1')).toHaveLength(3);
    w.stop();
    clock.advance(20_000);
    await flush();
    expect(n.sent.filter((m) => m.WATCHDOG === '1')).toHaveLength(3);
  });

  it('withholds the ping while a check fails, says why once, and resumes when it passes', async () => {
    const clock = new FakeClock();
    const n = recorder();
    let dbOk = false;
    const checks: HealthCheck[] = [
      { name: 'loop', run: () => undefined },
      {
        name: 'database',
        run: () => {
          if (!dbOk) throw new Error('disk I/O error');
        },
      },
    ];
    const w = new Watchdog({ notifier: n, clock, intervalMs: 5000, log: silentLog, checks });
    expect(await w.tick()).toEqual(['database: disk I/O error']);
    expect(await w.tick()).toEqual(['database: disk I/O error']);
    expect(n.sent).toEqual([{ STATUS: 'unhealthy: database: disk I/O error' }]);
    dbOk = true;
    expect(await w.tick()).toEqual([]);
    expect(n.sent.at(-1)).toEqual({ WATCHDOG: '1' });
  });

  it('counts a check that never settles (a stuck bus) as failed after its timeout', async () => {
    const clock = new FakeClock();
    const n = recorder();
    const w = new Watchdog({
      notifier: n,
      clock,
      intervalMs: 6000,
      log: silentLog,
      checks: [{ name: 'lock bus', run: () => new Promise<void>(() => undefined) }],
    });
    const result = w.tick();
    await flush();
    clock.advance(2000);
    expect(await result).toEqual(['lock bus: no answer within 2000 ms']);
    expect(n.sent.some((m) => m.WATCHDOG === '1')).toBe(false);
  });

  it('reads WatchdogSec from the environment as systemd sets it', () => {
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '10000000' }, 42)).toBe(5000);
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '10000000', WATCHDOG_PID: '42' }, 42)).toBe(5000);
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '10000000', WATCHDOG_PID: '7' }, 42)).toBeNull();
    expect(watchdogIntervalMs({}, 42)).toBeNull();
    expect(watchdogIntervalMs({ WATCHDOG_USEC: 'x' }, 42)).toBeNull();
  });
});
