import { DeviceError } from '../../src/core/errors.js';
import type { ByteTransport } from './transport.js';

/** What a driver does with what its transport tells it. */
export interface TransportHandlers {
  data(chunk: Buffer): void;
  /** The transport was lost (`close`) while the driver was open: the hold is now `down`. */
  lost(reason: string): void;
  /** It opened again after a loss: the hold is `open` again. */
  back(): void;
  /** A transport fault that did not close it. */
  fault(err: Error): void;
}

/** Where a driver stands with its line: not opened yet, open, lost (the transport retries), closed for good. */
export type LinePhase = 'idle' | 'open' | 'down' | 'closed';

/**
 * A driver's hold on its byte transport, and where it stands with it:
 * listeners attached on open and detached on close, or at once when the open
 * fails, so a driver that could not open leaves nothing behind; `lost` and
 * `back` are called once per loss and return (open → down → open), never
 * before open or after close; `notReady` says why a call cannot go out.
 */
export class TransportHold {
  private readonly onData: (chunk: Buffer) => void;
  private readonly onClose: (reason: string) => void;
  private readonly onOpen: () => void;
  private readonly onError: (err: Error) => void;
  private attached = false;
  private state: LinePhase = 'idle';

  constructor(
    readonly transport: ByteTransport,
    h: TransportHandlers,
  ) {
    this.onData = (chunk) => h.data(chunk);
    this.onClose = (reason) => {
      if (this.state !== 'open') return;
      this.state = 'down';
      h.lost(reason);
    };
    this.onOpen = () => {
      if (this.state !== 'down') return;
      this.state = 'open';
      h.back();
    };
    this.onError = (err) => h.fault(err);
  }

  get phase(): LinePhase {
    return this.state;
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }

  /**
   * Attaches the listeners and opens the transport: true when this call
   * opened it, false when it already was (open or down). Rejects `closed`
   * after close() (also when close() came while it was opening), and with
   * the transport's error (detached again) when it cannot open.
   */
  async open(name: string): Promise<boolean> {
    if (this.state === 'closed') throw new DeviceError('closed', 'driver was closed', name);
    if (this.state !== 'idle') return false;
    this.attach();
    try {
      await this.transport.open();
    } catch (e) {
      this.detach();
      throw e;
    }
    if (this.phase === 'closed') {
      await this.transport.close();
      throw new DeviceError('closed', 'driver was closed while opening', name);
    }
    this.state = 'open';
    return true;
  }

  /** Closed for good, listeners detached. What it was before: the caller closes the transport when it had been opened ('open' or 'down'). */
  close(): LinePhase {
    const was = this.state;
    this.state = 'closed';
    this.detach();
    return was;
  }

  /** Why a call cannot go out now, or null when it can. */
  notReady(name: string): DeviceError | null {
    switch (this.state) {
      case 'open':
        return null;
      case 'idle':
        return new DeviceError('closed', 'driver is not open (call open() first)', name);
      case 'down':
        return new DeviceError('disconnected', 'the serial line is down', name);
      case 'closed':
        return new DeviceError('closed', 'driver was closed', name);
      default: {
        const never: never = this.state;
        return never;
      }
    }
  }

  /** Throws what notReady says. */
  ready(name: string): void {
    const err = this.notReady(name);
    if (err) throw err;
  }

  private detach(): void {
    if (!this.attached) return;
    this.attached = false;
    this.transport.off('data', this.onData);
    this.transport.off('close', this.onClose);
    this.transport.off('open', this.onOpen);
    this.transport.off('error', this.onError);
  }

  private attach(): void {
    if (this.attached) return;
    this.attached = true;
    this.transport.on('data', this.onData);
    this.transport.on('close', this.onClose);
    this.transport.on('open', this.onOpen);
    this.transport.on('error', this.onError);
  }
}
