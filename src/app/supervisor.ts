/**
 * Out of service, not out of process. Opens each device with retry and
 * backoff; a device missing at start or lost later puts the kiosk out of
 * service (the whole kiosk for the keypad or the lock bank, which every
 * pickup needs; the kiosk stays in service without a scanner, card reader,
 * fingerprint pad or cash acceptor, which only some pickups use), raises an
 * alarm, and comes back by itself when the device answers again. Only what
 * cannot heal (bad config, a corrupt database) ends the process, and that is
 * decided elsewhere: nothing here throws.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import type { TypedEmitter } from '../core/events.js';
import type { Log } from '../core/log.js';
import type { ConnectionEvents, DriverBase } from '../../drivers/lifecycle.js';

export type DeviceRole = 'keypad' | 'scanner' | 'locks' | 'fingerprint' | 'card' | 'cash';

/** What the screen side is told: out of service as a whole, or only these compartments. */
export interface ServiceState {
  whole: boolean;
  compartments: string[];
}

/** Where out-of-service decisions go (the kiosk's screen and conversations). */
export interface ServiceSink {
  setService(s: ServiceState): void;
}

export type SupervisedDriver = DriverBase & TypedEmitter<ConnectionEvents>;

export interface DeviceStatus {
  role: DeviceRole;
  name: string;
  up: boolean;
  /** Why it is down (words for a person), null when up. */
  reason: string | null;
  /** Failed open attempts since it was last up. */
  attempts: number;
}

export interface SupervisorOptions {
  clock: Clock;
  log: Log;
  devices: Array<{ role: DeviceRole; driver: SupervisedDriver }>;
  sink: ServiceSink;
  alarm(kind: 'device-lost' | 'device-restored', detail: string): void;
  /** Called after any device goes up or down (status, metrics). */
  onChange?(): void;
  /** Retry delays for opening: doubling from minMs up to maxMs (default 1 s … 60 s). */
  retry?: { minMs: number; maxMs: number };
}

/** Devices without which no pickup can happen: their loss takes the whole kiosk out of service. */
export const ESSENTIAL: ReadonlySet<DeviceRole> = new Set<DeviceRole>(['keypad', 'locks']);

interface Entry extends DeviceStatus {
  driver: SupervisedDriver;
  opened: boolean;
  timer: TimerHandle | null;
}

export class DeviceSupervisor {
  private readonly entries: Entry[];
  private manual: ServiceState = { whole: false, compartments: [] };
  private last = '';
  private stopped = false;

  constructor(private readonly o: SupervisorOptions) {
    this.entries = o.devices.map(({ role, driver }) => ({ role, name: driver.name, driver, up: false, reason: 'not opened yet', attempts: 0, opened: false, timer: null }));
    for (const e of this.entries) {
      e.driver.on('disconnect', (reason) => this.down(e, reason));
      e.driver.on('reconnect', () => this.up(e));
    }
  }

  /** Opens every device once (in order); the ones that fail are retried in the background. Never throws. */
  async start(): Promise<void> {
    // Side by side: each device's handshake waits on its own line, so start waits for the slowest, not the sum.
    await Promise.all(this.entries.map((e) => this.tryOpen(e)));
    this.publish();
  }

  /** Stops retrying; the caller closes the drivers. */
  stop(): void {
    this.stopped = true;
    for (const e of this.entries) {
      if (e.timer) this.o.clock.clearTimeout(e.timer);
      e.timer = null;
    }
  }

  /** The drivers that opened at least once (they need closing). */
  opened(): SupervisedDriver[] {
    return this.entries.filter((e) => e.opened).map((e) => e.driver);
  }

  status(): DeviceStatus[] {
    return this.entries.map(({ role, name, up, reason, attempts }) => ({ role, name, up, reason, attempts }));
  }

  isUp(role: DeviceRole): boolean {
    return this.entries.some((e) => e.role === role && e.up);
  }

  /** True while any device is down (kiosk.status says `degraded`). */
  get degraded(): boolean {
    return this.entries.some((e) => !e.up);
  }

  /** What the screen side is told now: device faults merged with the operator's own out-of-service marks. */
  service(): ServiceState {
    const whole = this.manual.whole || this.entries.some((e) => !e.up && ESSENTIAL.has(e.role));
    return { whole, compartments: [...this.manual.compartments].sort() };
  }

  /** The operator's out-of-service marks (remote command or maintenance), kept beside device faults. */
  setManual(s: ServiceState): void {
    this.manual = { whole: s.whole, compartments: [...new Set(s.compartments)] };
    this.changed();
  }

  get manualState(): ServiceState {
    return { whole: this.manual.whole, compartments: [...this.manual.compartments] };
  }

  private async tryOpen(e: Entry): Promise<void> {
    if (this.stopped) return;
    try {
      await e.driver.open();
      e.opened = true;
      const wasRetry = e.attempts > 0;
      if (wasRetry) this.o.log.info({ device: e.name, attempts: e.attempts }, 'device opened after retrying');
      this.up(e, wasRetry);
    } catch (err) {
      const said = err instanceof Error ? err.message : String(err);
      // DeviceError messages already start with the device's name.
      const reason = said.startsWith(`${e.name}: `) ? said.slice(e.name.length + 2) : said;
      e.attempts++;
      if (e.attempts === 1) {
        e.up = false;
        e.reason = reason;
        this.o.log.error({ device: e.name, err: reason }, 'device cannot be opened: out of service until it answers');
        this.o.alarm('device-lost', `${e.name}: ${reason} (retrying)`);
        this.changed();
      } else {
        this.o.log.debug({ device: e.name, err: reason, attempts: e.attempts }, 'device still cannot be opened');
      }
      this.retryLater(e);
    }
  }

  private retryLater(e: Entry): void {
    if (this.stopped) return;
    const { minMs, maxMs } = this.o.retry ?? { minMs: 1000, maxMs: 60_000 };
    const delay = Math.min(maxMs, minMs * 2 ** Math.min(20, e.attempts - 1));
    e.timer = this.o.clock.setTimeout(() => {
      e.timer = null;
      void this.tryOpen(e);
    }, delay);
  }

  private down(e: Entry, reason: string): void {
    if (this.stopped || !e.up) return;
    e.up = false;
    e.reason = reason;
    this.o.log.warn({ device: e.name, reason }, 'device lost: out of service until it is back');
    this.o.alarm('device-lost', `${e.name}: ${reason}`);
    this.changed();
  }

  private up(e: Entry, announce = true): void {
    if (this.stopped || e.up) return;
    const wasDown = e.attempts > 0 || e.reason !== 'not opened yet';
    e.up = true;
    e.reason = null;
    e.attempts = 0;
    if (wasDown && announce) {
      this.o.log.info({ device: e.name }, 'device back');
      this.o.alarm('device-restored', `${e.name} answers again`);
    }
    this.changed();
  }

  private changed(): void {
    this.publish();
    try {
      this.o.onChange?.();
    } catch (err) {
      this.o.log.error({ err: (err as Error).message }, 'device change listener failed');
    }
  }

  /** Tells the sink only when what it shows changes. */
  private publish(): void {
    const s = this.service();
    const key = JSON.stringify(s);
    if (key === this.last) return;
    this.last = key;
    try {
      this.o.sink.setService(s);
    } catch (err) {
      this.o.log.error({ err: (err as Error).message }, 'the screen side refused the service state');
    }
  }
}
