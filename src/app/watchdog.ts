/**
 * The systemd watchdog: WATCHDOG=1 every half WatchdogSec, but only while
 * each health check passes — the event loop answers, the database answers,
 * the lock bus settles a request. A check that fails or does not settle in
 * time withholds the ping, so systemd restarts a kiosk that is stuck; a
 * device that is merely absent is not "stuck" (the device supervisor puts the
 * kiosk out of service for that, and a restart would not bring it back).
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import type { Log } from '../core/log.js';
import type { Notifier } from './sd-notify.js';

export interface HealthCheck {
  readonly name: string;
  /** Resolves when healthy; throws (or rejects) with words saying what is wrong. */
  run(): Promise<void> | void;
}

/**
 * How often to ping: half of WATCHDOG_USEC (sd_watchdog_enabled(3)), or null
 * when the watchdog is off or meant for another process (WATCHDOG_PID).
 */
export function watchdogIntervalMs(env: NodeJS.ProcessEnv, pid: number): number | null {
  const usec = Number(env.WATCHDOG_USEC);
  if (!env.WATCHDOG_USEC || !Number.isFinite(usec) || usec <= 0) return null;
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== pid) return null;
  return Math.max(1, Math.floor(usec / 2000));
}

export interface WatchdogOptions {
  notifier: Notifier;
  clock: Clock;
  intervalMs: number;
  checks: HealthCheck[];
  /** How long a check may take before it counts as stuck (default: a third of the interval). */
  checkTimeoutMs?: number;
  log: Log;
}

export class Watchdog {
  private timer: TimerHandle | null = null;
  private stopped = false;
  private lastBad = '';

  constructor(private readonly o: WatchdogOptions) {}

  start(): void {
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) this.o.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** Runs every check once; pings when all pass. Returns what failed. */
  async tick(): Promise<string[]> {
    const timeout = this.o.checkTimeoutMs ?? Math.max(1, Math.floor(this.o.intervalMs / 3));
    const results = await Promise.all(this.o.checks.map((c) => this.runOne(c, timeout)));
    const bad = results.filter((r): r is string => r !== null);
    if (this.stopped) return bad;
    if (bad.length === 0) {
      this.o.notifier.send({ WATCHDOG: '1' });
      if (this.lastBad) this.o.log.info('health checks pass again; watchdog pings resumed');
      this.lastBad = '';
    } else {
      const line = bad.join('; ');
      if (line !== this.lastBad) {
        this.o.log.error({ failing: bad }, 'health check failed: watchdog pings withheld, systemd will restart the kiosk');
        this.o.notifier.send({ STATUS: `unhealthy: ${line}` });
      }
      this.lastBad = line;
    }
    return bad;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.o.clock.setTimeout(() => {
      this.timer = null;
      void this.tick().finally(() => this.schedule(this.o.intervalMs));
    }, ms);
  }

  private runOne(c: HealthCheck, timeoutMs: number): Promise<string | null> {
    return new Promise<string | null>((resolve) => {
      let done = false;
      const t = this.o.clock.setTimeout(() => {
        if (done) return;
        done = true;
        resolve(`${c.name}: no answer within ${timeoutMs} ms`);
      }, timeoutMs);
      const finish = (r: string | null): void => {
        if (done) return;
        done = true;
        this.o.clock.clearTimeout(t);
        resolve(r);
      };
      try {
        Promise.resolve(c.run()).then(
          () => finish(null),
          (e: unknown) => finish(`${c.name}: ${e instanceof Error ? e.message : String(e)}`),
        );
      } catch (e) {
        finish(`${c.name}: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
  }
}
