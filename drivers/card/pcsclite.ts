/**
 * The one file that loads the optional `pcsclite` native module. It is loaded
 * only when a real PC/SC reader is opened. pcsclite emits `error` on its
 * objects and a process with no listener for it dies: every object gets one.
 */
import { TypedEmitter } from '../../src/core/events.js';
import { DeviceError } from '../../src/core/errors.js';
import {
  PcscError,
  type OpenPcsc,
  type PcscContext,
  type PcscContextEvents,
  type PcscProtocol,
  type PcscReaderEvents,
  type PcscReaderHandle,
} from './binding.js';

/** What we use of pcsclite 1.x (its own typings say `any` for errors). */
interface NativeReader {
  name: string;
  connected: boolean;
  SCARD_SHARE_SHARED: number;
  SCARD_PROTOCOL_T0: number;
  SCARD_PROTOCOL_T1: number;
  SCARD_STATE_PRESENT: number;
  SCARD_STATE_MUTE: number;
  SCARD_RESET_CARD: number;
  on(event: 'status', fn: (s: { state: number; atr?: Buffer }) => void): void;
  on(event: 'end', fn: () => void): void;
  on(event: 'error', fn: (err: unknown) => void): void;
  connect(opts: { share_mode: number; protocol: number }, cb: (err: unknown, protocol?: number) => void): void;
  disconnect(disposition: number, cb: (err: unknown) => void): void;
  transmit(data: Buffer, resLen: number, protocol: number, cb: (err: unknown, data?: Buffer) => void): void;
  close(): void;
}

interface NativeContext {
  on(event: 'reader', fn: (r: NativeReader) => void): void;
  on(event: 'error', fn: (err: unknown) => void): void;
  close(): void;
}

type PcscFactory = () => NativeContext;

const INSTALL_HINT = 'install Debian package libpcsclite-dev and run npm install pcsclite';
/** Short APDUs: up to 256 data bytes and SW1 SW2. */
const MAX_RESPONSE = 258;

/** pcsclite's messages end in "(0x80100069)": the SCARD code. */
export function toPcscError(err: unknown): PcscError {
  const message = err instanceof Error ? err.message : String(err);
  const m = /\(0x([0-9a-fA-F]{8})\)/.exec(message);
  return new PcscError(message, m ? parseInt(m[1], 16) : undefined);
}

class NativeReaderHandle extends TypedEmitter<PcscReaderEvents> implements PcscReaderHandle {
  private protocol = 0;

  constructor(private readonly r: NativeReader) {
    super();
    // Always listen (an unheard 'error' kills the process); pass it on only to a listener.
    r.on('error', (err) => {
      this.emitError(toPcscError(err));
    });
    r.on('end', () => this.emit('end'));
    r.on('status', (s) => {
      const present = (s.state & r.SCARD_STATE_PRESENT) !== 0 && (s.state & r.SCARD_STATE_MUTE) === 0;
      this.emit('status', { present, atr: present && s.atr ? Buffer.from(s.atr) : Buffer.alloc(0), state: s.state });
    });
  }

  get name(): string {
    return this.r.name;
  }

  async connect(protocol: PcscProtocol): Promise<'T0' | 'T1' | 'raw'> {
    // pcsclite's connect() silently does nothing while its `connected` flag is
    // set, which stays set after a card was pulled: drop the old handle first.
    if (this.r.connected) {
      await this.disconnect().catch(() => undefined);
      this.r.connected = false;
    }
    const r = this.r;
    const wanted =
      protocol === 'T0' ? r.SCARD_PROTOCOL_T0 : protocol === 'T1' ? r.SCARD_PROTOCOL_T1 : r.SCARD_PROTOCOL_T0 | r.SCARD_PROTOCOL_T1;
    const got = await new Promise<number>((resolve, reject) => {
      r.connect({ share_mode: r.SCARD_SHARE_SHARED, protocol: wanted }, (err, p) => {
        if (err) reject(toPcscError(err));
        else resolve(p ?? 0);
      });
    });
    this.protocol = got;
    return got === r.SCARD_PROTOCOL_T0 ? 'T0' : got === r.SCARD_PROTOCOL_T1 ? 'T1' : 'raw';
  }

  transmit(command: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.r.transmit(command, MAX_RESPONSE, this.protocol, (err, data) => {
        if (err) reject(toPcscError(err));
        else resolve(data ?? Buffer.alloc(0));
      });
    });
  }

  disconnect(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.r.disconnect(this.r.SCARD_RESET_CARD, (err) => {
        if (err) reject(toPcscError(err));
        else resolve();
      });
    });
  }

  close(): void {
    try {
      this.r.close();
    } catch {
      // already closed by pcsclite when the reader left
    }
  }
}

class NativeContextHandle extends TypedEmitter<PcscContextEvents> implements PcscContext {
  private closed = false;

  constructor(private readonly ctx: NativeContext) {
    super();
    ctx.on('error', (err) => {
      if (!this.closed) this.emitError(toPcscError(err));
    });
    ctx.on('reader', (r) => {
      const handle = new NativeReaderHandle(r); // attaches its error listener before anything can fire
      if (this.closed) handle.close();
      else this.emit('reader', handle);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.ctx.close();
    } catch {
      // a context whose service died may refuse to close; nothing is left to release
    }
  }
}

async function loadFactory(specifier: string): Promise<PcscFactory> {
  let mod: unknown;
  try {
    mod = await import(specifier);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new DeviceError('missing-module', `${INSTALL_HINT} (${why})`, 'card:pcsc');
  }
  const candidate = (mod as { default?: unknown }).default ?? mod;
  if (typeof candidate !== 'function') {
    throw new DeviceError('missing-module', `pcsclite did not load as a function; ${INSTALL_HINT}`, 'card:pcsc');
  }
  return candidate as PcscFactory;
}

/**
 * An OpenPcsc over the module named `specifier` (default `pcsclite`; a
 * variable, so type checking does not need the optional module).
 */
export function pcscLiteOpener(specifier = 'pcsclite'): OpenPcsc {
  return () => openWith(specifier);
}

/** Opens a PC/SC context through pcscd with the `pcsclite` module. */
export const openPcscLite: OpenPcsc = pcscLiteOpener();

async function openWith(specifier: string): Promise<PcscContext> {
  const factory = await loadFactory(specifier);
  let ctx: NativeContext;
  try {
    ctx = factory();
  } catch (err) {
    const e = toPcscError(err);
    throw new DeviceError(
      'not-found',
      `PC/SC service not available (${e.message}); start pcscd (systemctl enable --now pcscd.socket)`,
      'card:pcsc',
    );
  }
  return new NativeContextHandle(ctx);
}
