import type { ByteTransport } from './transport.js';

/** What a driver does with what its transport tells it. */
export interface TransportHandlers {
  data(chunk: Buffer): void;
  /** The transport was lost (`close`). */
  lost(reason: string): void;
  /** It opened again after a loss. */
  back(): void;
  /** A transport fault that did not close it. */
  fault(err: Error): void;
}

/**
 * A driver's hold on its byte transport: listeners attached on open and
 * detached on close, or at once when the open fails, so a driver that could
 * not open leaves nothing behind on the transport.
 */
export class TransportHold {
  private readonly onData: (chunk: Buffer) => void;
  private readonly onClose: (reason: string) => void;
  private readonly onOpen: () => void;
  private readonly onError: (err: Error) => void;
  private attached = false;

  constructor(
    readonly transport: ByteTransport,
    h: TransportHandlers,
  ) {
    this.onData = (chunk) => h.data(chunk);
    this.onClose = (reason) => h.lost(reason);
    this.onOpen = () => h.back();
    this.onError = (err) => h.fault(err);
  }

  /** Attaches the listeners and opens the transport; rejects (detached again) when it cannot open. */
  async open(): Promise<void> {
    this.attach();
    try {
      await this.transport.open();
    } catch (e) {
      this.detach();
      throw e;
    }
  }

  detach(): void {
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
