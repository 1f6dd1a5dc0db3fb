import { systemClock, type Clock, type TimerHandle } from '../../src/core/clock.js';
import { silentLog, type Log } from '../../src/core/log.js';
import { DeviceError } from '../../src/core/errors.js';
import { TypedEmitter } from '../../src/core/events.js';
import type { Scanner, ScannerEvents } from './contract.js';
import { HidPosAssembler } from './hid-report.js';

export type HidDeviceEvents = {
  /** One input report, report ID first. */
  report: [report: Uint8Array];
  /** The device is gone (unplugged, read error); no reports follow. */
  lost: [reason: string];
};

/** An open HID device: node-hid's (hid-node.ts) or the in-process simulator's (hid-sim.ts). */
export interface HidDevice extends TypedEmitter<HidDeviceEvents> {
  readonly description: string;
  close(): Promise<void>;
}

/** Opens the configured device; rejects with DeviceError `not-found` or `missing-module`. */
export type HidOpener = () => Promise<HidDevice>;

export interface HidScannerOptions {
  clock?: Clock;
  log?: Log;
  name?: string;
  /** How often to look for the device again after it went away. */
  reconnectMs?: number;
  /** A multi-report read whose next report is later than this is dropped (reports of one read come ms apart; reads, hundreds of ms). */
  staleMs?: number;
}

/**
 * A HID POS barcode scanner (usage page 0x8C). Reports are joined into reads
 * (hid-report.ts); anything else the device sends is ignored. When the device
 * goes away it emits `disconnect`, looks for it every `reconnectMs`, and emits
 * `reconnect` once it is back. A scanner has no pending calls to reject.
 *
 * Keyboard-wedge scanners cannot be read this way: they are keyboards to the
 * operating system. Switch the scanner to HID POS (or serial) mode.
 */
export class HidScanner extends TypedEmitter<ScannerEvents> implements Scanner {
  readonly name: string;
  private readonly clock: Clock;
  private readonly log: Log;
  private readonly reconnectMs: number;
  private readonly assembler: HidPosAssembler;
  private device: HidDevice | null = null;
  private retry: TimerHandle | null = null;
  private isOpen = false;
  /** Bumped on every close/loss so a late open or report from an old device is ignored. */
  private generation = 0;

  constructor(
    private readonly openDevice: HidOpener,
    opts: HidScannerOptions = {},
  ) {
    super();
    this.clock = opts.clock ?? systemClock;
    this.log = (opts.log ?? silentLog).child({ mod: 'scanner:hid' });
    this.name = opts.name ?? 'scanner:hid';
    this.reconnectMs = opts.reconnectMs ?? 1000;
    this.assembler = new HidPosAssembler({ staleMs: opts.staleMs ?? 250 });
  }

  async open(): Promise<void> {
    if (this.isOpen) return;
    const device = await this.openDevice();
    this.isOpen = true;
    this.attach(device);
  }

  async close(): Promise<void> {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.generation++;
    if (this.retry) this.clock.clearTimeout(this.retry);
    this.retry = null;
    const d = this.device;
    this.device = null;
    this.assembler.reset();
    if (d) await d.close().catch((e: unknown) => this.log.warn({ err: (e as Error).message }, 'HID close failed'));
  }

  private attach(device: HidDevice): void {
    const gen = ++this.generation;
    this.device = device;
    this.assembler.reset();
    device.on('report', (report) => {
      if (gen !== this.generation) return;
      const read = this.assembler.push(report, this.clock.now());
      if (read) this.safeEmit(() => this.emit('read', read));
    });
    device.on('lost', (reason) => {
      if (gen !== this.generation) return;
      this.generation++;
      this.device = null;
      this.assembler.reset();
      device.close().catch(() => undefined); // release the handle; it is gone anyway
      this.log.warn({ reason }, 'HID scanner lost');
      this.safeEmit(() => this.emit('disconnect', `${device.description}: ${reason}`));
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (!this.isOpen || this.retry) return;
    this.retry = this.clock.setTimeout(() => {
      this.retry = null;
      if (!this.isOpen) return;
      const gen = this.generation;
      this.openDevice().then(
        (device) => {
          if (!this.isOpen || gen !== this.generation) {
            void device.close().catch(() => undefined);
            return;
          }
          this.attach(device);
          this.safeEmit(() => this.emit('reconnect'));
        },
        (e: unknown) => {
          const err = e instanceof DeviceError ? e : new DeviceError('not-found', (e as Error).message, this.name);
          this.log.debug({ err: err.message }, 'HID scanner still away');
          this.scheduleReconnect();
        },
      );
    }, this.reconnectMs);
  }

  /** A listener that throws must not stop reports being read. */
  private safeEmit(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.log.error({ err: (e as Error).message }, 'a scanner listener threw');
    }
  }
}
