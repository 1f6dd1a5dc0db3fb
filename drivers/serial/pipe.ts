import { DeviceError } from '../../src/core/errors.js';
import { TypedEmitter } from '../../src/core/events.js';
import type { ByteTransport, ByteTransportEvents } from './transport.js';

/**
 * An in-process ByteTransport pair for unit tests of drivers and simulators:
 * bytes written to one end arrive at the other, on a later microtask (never
 * inside the writer's call), optionally cut into small chunks to exercise
 * reassembly. `unplug()` / `replug()` act like pulling and reconnecting a
 * cable: each open end emits `close` then, on replug, `open` again — the same
 * sequence SerialPortTransport produces.
 */
export interface PipePair {
  /** The end a driver under test uses. */
  readonly kiosk: PipeTransport;
  /** The end a simulator uses. */
  readonly device: PipeTransport;
  /** Both ends lose the link; writes reject `disconnected` until replug. */
  unplug(reason?: string): void;
  /** The link is back: ends that were open emit `open` again. */
  replug(): void;
  readonly plugged: boolean;
}

export interface PipeOptions {
  /** Deliver writes in chunks of at most this many bytes (default: whole writes). */
  chunkSize?: number;
}

export function createPipePair(options: PipeOptions = {}): PipePair {
  const link = { plugged: true };
  const kiosk = new PipeTransport('pipe:kiosk', link, options.chunkSize ?? 0);
  const device = new PipeTransport('pipe:device', link, options.chunkSize ?? 0);
  kiosk.peer = device;
  device.peer = kiosk;
  return {
    kiosk,
    device,
    get plugged() {
      return link.plugged;
    },
    unplug(reason = 'unplugged') {
      if (!link.plugged) return;
      link.plugged = false;
      kiosk.lose(reason);
      device.lose(reason);
    },
    replug() {
      if (link.plugged) return;
      link.plugged = true;
      kiosk.regain();
      device.regain();
    },
  };
}

type PipeState = 'idle' | 'open' | 'lost' | 'closed';

export class PipeTransport extends TypedEmitter<ByteTransportEvents> implements ByteTransport {
  /** @internal set by createPipePair */
  peer: PipeTransport | null = null;
  private state: PipeState = 'idle';

  constructor(
    readonly description: string,
    private readonly link: { plugged: boolean },
    private readonly chunkSize: number,
  ) {
    super();
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  async open(): Promise<void> {
    if (this.state === 'closed') throw new DeviceError('closed', 'transport was closed', this.description);
    if (this.state !== 'idle') return;
    if (!this.link.plugged) throw new DeviceError('not-found', 'pipe is unplugged', this.description);
    this.state = 'open';
    this.emit('open');
  }

  async write(data: Buffer): Promise<void> {
    if (this.state !== 'open') throw new DeviceError('disconnected', 'pipe is not open', this.description);
    const copy = Buffer.from(data);
    const peer = this.peer;
    const size = this.chunkSize > 0 ? this.chunkSize : copy.length || 1;
    for (let i = 0; i < copy.length; i += size) {
      const chunk = copy.subarray(i, i + size);
      queueMicrotask(() => peer?.deliver(chunk));
    }
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    const wasOpen = this.state === 'open';
    this.state = 'closed';
    if (wasOpen) this.emit('close', 'closed by the application');
  }

  /** @internal */
  deliver(chunk: Buffer): void {
    // Bytes sent to an end nobody has open are lost, as on a real line.
    if (this.state === 'open' && this.link.plugged) this.emit('data', chunk);
  }

  /** @internal */
  lose(reason: string): void {
    if (this.state !== 'open') return;
    this.state = 'lost';
    this.emit('close', reason);
  }

  /** @internal */
  regain(): void {
    if (this.state !== 'lost') return;
    this.state = 'open';
    this.emit('open');
  }
}
