import type { Clock, TimerHandle } from '../../src/core/clock.js';
import { DeviceError } from '../../src/core/errors.js';
import type { ByteTransport } from '../serial/transport.js';
import {
  encodeDataPackets,
  parseAck,
  R30xDecoder,
  type DecodeEvent,
  type InstructionName,
  type PacketKind,
  type R30xPacket,
} from './r30x-codec.js';

export interface R30xWireOptions {
  address: number;
  commandTimeoutMs: number;
  /** Silence after which a half-received packet is given up. */
  gapMs: number;
  clock: Clock;
  /** Prefix of every error message, e.g. `fingerprint pad`. */
  device: string;
  /** A fault that belongs to no call: garbage, a stray packet. */
  onFault(err: DeviceError): void;
  /** Something valid came from the module (it is alive). */
  onReply(): void;
  /** A command got no reply in time. */
  onTimeout(): void;
}

export interface Ack {
  code: number;
  params: Buffer;
}

interface Waiter {
  kinds: readonly PacketKind[];
  resolve: (p: R30xPacket) => void;
  reject: (e: DeviceError) => void;
}

/** Packets that arrive while nothing waits; bounded so a chattering line cannot grow it. */
const INBOX_LIMIT = 64;

/**
 * The host's end of one R30x line: turns bytes into packets from the
 * module's address, matches them to the one request in flight, and times
 * out. The caller (R30xPad) makes sure only one exchange runs at a time.
 * Every wait it hands out can be failed at once with `failAll`.
 */
export class R30xWire {
  private readonly decoder = new R30xDecoder();
  private inbox: (R30xPacket | DeviceError)[] = [];
  private waiter: Waiter | null = null;
  private readonly cancels = new Set<(e: DeviceError) => void>();
  private gapTimer: TimerHandle | null = null;

  constructor(
    private readonly transport: ByteTransport,
    private readonly opts: R30xWireOptions,
  ) {}

  /** Bytes from the transport. Never throws. */
  feed(chunk: Buffer): void {
    this.handle(this.decoder.push(chunk));
    this.armGap();
  }

  /**
   * A packet held half-way for `gapMs` with no byte arriving is not coming:
   * the module sends a packet in one go. Flushing it lets a whole reply that
   * followed a cut-off packet through.
   */
  private armGap(): void {
    if (this.gapTimer) this.opts.clock.clearTimeout(this.gapTimer);
    this.gapTimer = null;
    if (this.decoder.buffered === 0) return;
    this.gapTimer = this.opts.clock.setTimeout(() => {
      this.gapTimer = null;
      this.handle(this.decoder.flush());
    }, this.opts.gapMs);
  }

  private handle(events: DecodeEvent[]): void {
    for (const ev of events) {
      switch (ev.type) {
        case 'garbage':
          this.fault('protocol', `dropped ${ev.bytes} byte(s) that were not a packet (noise on the line, or a wrong baud rate)`);
          break;
        case 'bad-checksum': {
          if (ev.address !== this.opts.address || ev.kind === 'command') {
            this.fault('checksum', `dropped a damaged packet (bad checksum) from address ${hex32(ev.address)}`);
            break;
          }
          const err = this.error(
            'checksum',
            `a reply had a bad checksum (0x${ev.received.toString(16)}, expected 0x${ev.expected.toString(16)}); check the cable and baud rate`,
          );
          if (!this.waiter) this.toInbox(err);
          else if (this.waiter.kinds.includes(ev.kind)) this.waiter.reject(err);
          else this.opts.onFault(err);
          break;
        }
        case 'packet':
          this.onPacket(ev.packet);
          break;
        default: {
          const never: never = ev;
          void never;
        }
      }
    }
  }

  /** Drops a half packet and anything not yet read (after the line was lost). */
  reset(): void {
    this.decoder.reset();
    this.inbox = [];
    if (this.gapTimer) this.opts.clock.clearTimeout(this.gapTimer);
    this.gapTimer = null;
  }

  /** Rejects every wait in progress with `err`. */
  failAll(err: DeviceError): void {
    for (const cancel of [...this.cancels]) cancel(err);
    this.cancels.clear();
    this.waiter = null;
    this.inbox = [];
  }

  /**
   * Sends a command and waits for its acknowledge. A reply with a bad
   * checksum is retried once when `retry` is set (for commands that are safe
   * to repeat).
   */
  async command(
    name: InstructionName,
    packet: Buffer,
    retry = true,
    timeoutMs = this.opts.commandTimeoutMs,
  ): Promise<Ack> {
    for (let attempt = 0; ; attempt++) {
      // The module speaks only when spoken to: a half packet held now is junk.
      this.handle(this.decoder.flush());
      this.dropStale();
      await this.write(packet, name);
      try {
        const reply = await this.next(['ack'], name, timeoutMs);
        const ack = parseAck(reply);
        if (!ack) throw this.error('protocol', `the reply to ${name} had no confirmation code`);
        return ack;
      } catch (e) {
        if (retry && attempt === 0 && e instanceof DeviceError && e.code === 'checksum') continue;
        throw e;
      }
    }
  }

  /** Sends `data` as data packets ending with an end packet (after DownChar). */
  async sendData(data: Buffer, packetSize: number, what: InstructionName): Promise<void> {
    for (const packet of encodeDataPackets(this.opts.address, data, packetSize)) {
      await this.write(packet, what);
    }
  }

  /** Reads data packets up to and including the end packet (after UpChar). */
  async receiveData(what: InstructionName, maxBytes: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let size = 0;
    for (;;) {
      const p = await this.next(['data', 'end'], what, this.opts.commandTimeoutMs);
      parts.push(p.payload);
      size += p.payload.length;
      if (size > maxBytes) {
        throw this.error('protocol', `the module sent more than ${maxBytes} bytes after ${what}`);
      }
      if (p.kind === 'end') return Buffer.concat(parts);
    }
  }

  /** Waits `ms` on the clock; fails with the others on `failAll`. */
  sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const cancel = (e: DeviceError): void => {
        this.opts.clock.clearTimeout(timer);
        this.cancels.delete(cancel);
        reject(e);
      };
      const timer = this.opts.clock.setTimeout(() => {
        this.cancels.delete(cancel);
        resolve();
      }, ms);
      this.cancels.add(cancel);
    });
  }

  error(code: DeviceError['code'], message: string): DeviceError {
    return new DeviceError(code, message, this.opts.device);
  }

  private async write(packet: Buffer, what: InstructionName): Promise<void> {
    try {
      await this.transport.write(packet);
    } catch (e) {
      if (e instanceof DeviceError && e.code === 'closed') throw this.error('closed', `closed during ${what}`);
      const why = e instanceof Error ? e.message : String(e);
      throw this.error('disconnected', `lost the line to the module during ${what} (${why})`);
    }
  }

  private next(kinds: readonly PacketKind[], what: InstructionName, timeoutMs: number): Promise<R30xPacket> {
    while (this.inbox.length > 0) {
      const item = this.inbox.shift()!;
      if (item instanceof DeviceError) return Promise.reject(item);
      if (kinds.includes(item.kind)) return Promise.resolve(item);
      this.stray(item);
    }
    return new Promise<R30xPacket>((resolve, reject) => {
      let timer: TimerHandle | null = null;
      const done = (): void => {
        if (timer) this.opts.clock.clearTimeout(timer);
        this.cancels.delete(waiter.reject);
        if (this.waiter === waiter) this.waiter = null;
      };
      const waiter: Waiter = {
        kinds,
        resolve: (p) => {
          done();
          resolve(p);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      };
      timer = this.opts.clock.setTimeout(() => {
        timer = null;
        // First let the owner decide the module is gone (then this call rejects
        // `disconnected` with the rest); otherwise it is this call's timeout.
        this.opts.onTimeout();
        waiter.reject(
          this.error(
            'timeout',
            `no answer to ${what} within ${timeoutMs} ms; check power (3.3 V), TX/RX wiring and baud rate`,
          ),
        );
      }, timeoutMs);
      this.waiter = waiter;
      this.cancels.add(waiter.reject);
    });
  }

  private onPacket(p: R30xPacket): void {
    if (p.address !== this.opts.address) {
      this.fault('protocol', `ignored a packet from address ${hex32(p.address)} (this pad is ${hex32(this.opts.address)})`);
      return;
    }
    if (p.kind === 'command') {
      this.fault('protocol', 'ignored a command packet from the module side (is the line echoing?)');
      return;
    }
    this.opts.onReply();
    const w = this.waiter;
    if (w && w.kinds.includes(p.kind)) w.resolve(p);
    else if (w) this.stray(p);
    else this.toInbox(p);
  }

  private toInbox(item: R30xPacket | DeviceError): void {
    this.inbox.push(item);
    if (this.inbox.length > INBOX_LIMIT) this.inbox.shift();
  }

  /** Packets left over from an earlier exchange (a late reply): never the answer to a new command. */
  private dropStale(): void {
    for (const item of this.inbox) if (!(item instanceof DeviceError)) this.stray(item);
    this.inbox = [];
  }

  private stray(p: R30xPacket): void {
    this.fault('protocol', `ignored an unexpected ${p.kind} packet (a late or unasked reply)`);
  }

  private fault(code: DeviceError['code'], message: string): void {
    this.opts.onFault(this.error(code, message));
  }
}

function hex32(n: number): string {
  return `0x${(n >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
}
