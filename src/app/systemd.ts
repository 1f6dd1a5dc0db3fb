/**
 * The kiosk as a systemd service (Type=notify): READY=1 once it can serve a
 * person, STATUS= lines as devices come and go, WATCHDOG=1 while healthy,
 * STOPPING=1 on the way out. Outside systemd (no NOTIFY_SOCKET) it does nothing.
 */
import type { RunningKiosk } from '../app.js';
import type { Clock } from '../core/clock.js';
import type { Log } from '../core/log.js';
import { databaseCheck, eventLoopCheck, lockBusCheck } from './health.js';
import { openNotifier, type Notifier } from './sd-notify.js';
import { Watchdog, watchdogIntervalMs } from './watchdog.js';

export interface ServiceManager {
  ready(): void;
  status(line: string): void;
  stopping(): void;
}

/** One line for STATUS=: what the kiosk is doing, and what is missing. */
export function statusLine(k: Pick<RunningKiosk, 'supervisor'>): string {
  const down = k.supervisor.status().filter((d) => !d.up);
  const s = k.supervisor.service();
  if (down.length === 0 && !s.whole) return s.compartments.length ? `serving; out of service: ${s.compartments.join(', ')}` : 'serving';
  const what = down.map((d) => `${d.role} (${d.reason ?? 'down'})`).join(', ');
  return `${s.whole ? 'out of service' : 'degraded'}${what ? `: ${what} missing` : ''}`;
}

export function systemdFor(k: RunningKiosk, o: { env: NodeJS.ProcessEnv; clock: Clock; log: Log }): ServiceManager {
  const log = o.log.child({ ns: 'systemd' });
  const notifier: Notifier | null = openNotifier(o.env, (m) => log.warn(m));
  if (!notifier) return { ready: () => undefined, status: () => undefined, stopping: () => undefined };
  const interval = watchdogIntervalMs(o.env, process.pid);
  const watchdog =
    interval === null
      ? null
      : new Watchdog({
          notifier,
          clock: o.clock,
          intervalMs: interval,
          log,
          checks: [eventLoopCheck(Math.max(250, interval / 4)), databaseCheck(k.store.db), lockBusCheck(k.devices.locks, () => k.supervisor.isUp('locks'))],
        });
  return {
    ready() {
      notifier.send({ READY: '1', STATUS: statusLine(k), MAINPID: String(process.pid) });
      watchdog?.start();
    },
    status(line) {
      notifier.send({ STATUS: line });
    },
    stopping() {
      watchdog?.stop();
      notifier.send({ STOPPING: '1', STATUS: 'stopping' });
      notifier.close();
    },
  };
}
