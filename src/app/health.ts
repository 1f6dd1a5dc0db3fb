/**
 * The checks behind the watchdog ping (watchdog.ts): each one asks a part of
 * the kiosk to answer now. Absent devices are the supervisor's business, not
 * a reason to restart; a request that never settles is.
 */
import type { Db } from '../store/index.js';
import { isDeviceError } from '../core/errors.js';
import type { LockBank } from '../../drivers/locks/contract.js';
import type { HealthCheck } from './watchdog.js';

/** The event loop turns: a setImmediate comes round within `maxLagMs`. */
export function eventLoopCheck(maxLagMs: number): HealthCheck {
  return {
    name: 'event loop',
    run: () =>
      new Promise<void>((resolve, reject) => {
        const t0 = performance.now();
        setImmediate(() => {
          const lag = performance.now() - t0;
          if (lag > maxLagMs) reject(new Error(`a turn took ${Math.round(lag)} ms`));
          else resolve();
        });
      }),
  };
}

/** The database answers a read that touches the file (not just a cached page). */
export function databaseCheck(db: Db): HealthCheck {
  return {
    name: 'database',
    run: () => {
      db.prepare('SELECT count(*) AS n FROM compartments').get();
    },
  };
}

/**
 * The lock bus settles a status request. A bank that is down (the supervisor
 * has it out of service) passes; a bus that times out or never answers fails.
 */
export function lockBusCheck(locks: LockBank, isUp: () => boolean): HealthCheck {
  return {
    name: 'lock bus',
    run: async () => {
      if (!isUp()) return;
      try {
        await locks.states();
      } catch (e) {
        if (isDeviceError(e) && e.code !== 'timeout' && e.code !== 'protocol' && e.code !== 'checksum') return;
        throw e;
      }
    },
  };
}
