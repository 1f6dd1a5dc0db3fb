import { stat } from 'node:fs/promises';
import type { SerialPort } from 'serialport';
import { systemClock, type Clock, type TimerHandle } from '../../src/core/clock.js';
import { DeviceError } from '../../src/core/errors.js';
import { TypedEmitter } from '../../src/core/events.js';
import type { ByteTransport, ByteTransportEvents } from './transport.js';

export interface SerialPortTransportOptions {
  /** Device path, e.g. `/dev/ttyUSB0`, `/dev/serial/by-id/…`, or a pty link. */
  path: string;
  baudRate: number;
  dataBits?: 5 | 6 | 7 | 8;
  parity?: 'none' | 'even' | 'odd' | 'mark' | 'space';
  stopBits?: 1 | 1.5 | 2;
  /** How often to try the path again after the port was lost. Default 500 ms. */
  reconnectMs?: number;
  /**
   * How often to check that the device node is still there and still the same
   * device (ms). Default 250; 0 turns the check off. serialport notices a loss
   * only when a read or write fails, which an idle line (a scanner nobody uses,
   * a pty whose far end went away) may never do.
   */
  watchMs?: number;
}

type State = 'idle' | 'open' | 'lost' | 'closed';

/**
 * A ByteTransport over the `serialport` package. This is the only file that
 * imports it (lazily, so a missing native build is a `missing-module` error
 * when a serial device is opened, not a crash at start).
 *
 * Lifecycle: `open()` opens the port or rejects (`not-found`, `missing-module`).
 * When the port is lost afterwards (USB adapter unplugged, pty hung up) it
 * emits `close` with the reason, rejects writes in flight with `disconnected`,
 * and tries the path again every `reconnectMs` until it opens, then emits
 * `open` again. `close()` stops for good: it emits `close` once if the port was
 * open and never emits anything afterwards.
 */
export class SerialPortTransport extends TypedEmitter<ByteTransportEvents> implements ByteTransport {
  readonly description: string;
  private readonly opts: SerialPortTransportOptions;
  private readonly reconnectMs: number;
  private state: State = 'idle';
  private port: SerialPort | null = null;
  private retryTimer: TimerHandle | null = null;
  private watchTimer: TimerHandle | null = null;
  private readonly watchMs: number;
  private readonly inflight = new Set<(err: Error) => void>();

  constructor(
    options: SerialPortTransportOptions,
    private readonly clock: Clock = systemClock,
  ) {
    super();
    this.opts = options;
    this.reconnectMs = options.reconnectMs ?? 500;
    this.watchMs = options.watchMs ?? 250;
    this.description = `serial ${options.path} @${options.baudRate}`;
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  async open(): Promise<void> {
    if (this.state === 'closed') throw new DeviceError('closed', 'transport was closed', this.description);
    if (this.state === 'open' || this.state === 'lost') return;
    const { port, id } = await this.openPort();
    if (this.isClosedNow()) {
      closeQuietly(port);
      throw new DeviceError('closed', 'transport was closed while opening', this.description);
    }
    this.adopt(port, id);
    this.emit('open');
  }

  write(data: Buffer): Promise<void> {
    const port = this.port;
    if (this.state !== 'open' || !port) {
      return Promise.reject(new DeviceError('disconnected', 'serial port is not open', this.description));
    }
    return new Promise<void>((resolve, reject) => {
      let done = false;
      const settle = (err: Error | null | undefined): void => {
        if (done) return;
        done = true;
        this.inflight.delete(fail);
        if (err) reject(err instanceof DeviceError ? err : new DeviceError('disconnected', `write failed: ${err.message}`, this.description));
        else resolve();
      };
      const fail = (err: Error): void => settle(err);
      this.inflight.add(fail);
      port.write(data, (err) => {
        if (err) settle(err);
        else port.drain((e) => settle(e));
      });
    });
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    const wasOpen = this.state === 'open';
    this.state = 'closed';
    if (this.retryTimer) this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.stopWatch();
    this.failInflight(new DeviceError('closed', 'transport closed', this.description));
    const port = this.port;
    this.port = null;
    if (port) {
      port.removeAllListeners();
      port.on('error', () => undefined);
      if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    }
    if (wasOpen) this.emit('close', 'closed by the application');
  }

  private isClosedNow(): boolean {
    return this.state === 'closed';
  }

  private async openPort(): Promise<{ port: SerialPort; id: string | null }> {
    let ctor: typeof SerialPort;
    try {
      ({ SerialPort: ctor } = await import('serialport'));
    } catch (e) {
      throw new DeviceError(
        'missing-module',
        `the serialport package could not be loaded (${(e as Error).message}); run npm install serialport (a native build needs build-essential and python3)`,
        this.description,
      );
    }
    const port = new ctor({
      path: this.opts.path,
      baudRate: this.opts.baudRate,
      dataBits: this.opts.dataBits ?? 8,
      parity: this.opts.parity ?? 'none',
      stopBits: this.opts.stopBits ?? 1,
      autoOpen: false,
      // serialport reads into a pool of this size (64 KiB by default, a new one each time it fills). The
      // devices here send frames of a few bytes to a few hundred: 4 KiB per line is plenty, and four
      // lines keep ~240 KiB less resident and allocate a sixteenth as often.
      highWaterMark: 4096,
    });
    await new Promise<void>((resolve, reject) => {
      port.open((err) => {
        if (!err) return resolve();
        reject(new DeviceError('not-found', `cannot open ${this.opts.path}: ${err.message}`, this.description));
      });
    });
    return { port, id: await this.deviceId() };
  }

  /** Which device node the path leads to now (null when it leads nowhere). */
  private async deviceId(): Promise<string | null> {
    try {
      const s = await stat(this.opts.path);
      return `${s.dev}:${s.ino}:${s.rdev}`;
    } catch {
      return null;
    }
  }

  private adopt(port: SerialPort, id: string | null): void {
    this.port = port;
    this.state = 'open';
    this.startWatch(port, id);
    port.on('data', (chunk: Buffer) => {
      if (this.port === port) this.emit('data', chunk);
    });
    port.on('close', (err: Error | null) => this.lost(port, err ? err.message : 'port closed'));
    port.on('end', () => this.lost(port, 'end of stream'));
    port.on('error', (err: Error) => {
      if (this.port === port) this.emitError(err);
    });
  }

  private lost(port: SerialPort, why: string): void {
    if (this.port !== port || this.state !== 'open') return;
    this.port = null;
    this.state = 'lost';
    this.stopWatch();
    port.removeAllListeners();
    port.on('error', () => undefined);
    if (port.isOpen) closeQuietly(port);
    this.failInflight(new DeviceError('disconnected', `${this.opts.path} was lost (${why})`, this.description));
    this.emit('close', `${this.opts.path} was lost (${why}); retrying every ${this.reconnectMs} ms`);
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = null;
      void this.retry();
    }, this.reconnectMs);
  }

  private async retry(): Promise<void> {
    if (this.state !== 'lost') return;
    let opened: { port: SerialPort; id: string | null };
    try {
      opened = await this.openPort();
    } catch {
      // Still gone; the next try is the only useful response.
      if (this.state === 'lost') this.scheduleRetry();
      return;
    }
    if (this.state !== 'lost') {
      closeQuietly(opened.port);
      return;
    }
    this.adopt(opened.port, opened.id);
    this.emit('open');
  }

  private startWatch(port: SerialPort, id: string | null): void {
    if (this.watchMs <= 0 || id === null) return;
    this.watchTimer = this.clock.setTimeout(() => {
      this.watchTimer = null;
      void this.deviceId().then((now) => {
        if (this.port !== port || this.state !== 'open') return;
        if (now === id) this.startWatch(port, id);
        else this.lost(port, now === null ? 'the device node is gone' : 'the path now leads to another device');
      });
    }, this.watchMs);
  }

  private stopWatch(): void {
    if (this.watchTimer) this.clock.clearTimeout(this.watchTimer);
    this.watchTimer = null;
  }

  private failInflight(err: Error): void {
    for (const fail of [...this.inflight]) fail(err);
    this.inflight.clear();
  }
}

function closeQuietly(port: SerialPort): void {
  port.on('error', () => undefined);
  if (port.isOpen) port.close(() => undefined);
}
