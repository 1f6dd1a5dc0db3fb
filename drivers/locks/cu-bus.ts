import type { Clock } from '../../src/core/clock.js';
import type { DeviceError } from '../../src/core/errors.js';
import { RequestLine, type LineDecoder, type LineEvent } from '../serial/request-line.js';
import type { ByteTransport } from '../serial/transport.js';
import { Cu16Decoder, type Cu16Event, type Cu16Reply, type DecoderOptions, type VersionReply } from './cu16-codec.js';

/** Lower runs first: an unlock never waits behind more than the one frame already on the wire. */
export const PRIORITY = { unlock: 0, read: 1, poll: 2 } as const;
export type Priority = (typeof PRIORITY)[keyof typeof PRIORITY];

/** A board's status: its hook bits and sensor bits, whatever the model (CU16, CU12, CU48). */
export type CuReply = Cu16Reply;

/**
 * What a CU board says on the wire: its status, a bare acknowledgement
 * (CU48 answers an unlock without its status), or its firmware version.
 */
export type CuHeard = { kind: 'status'; reply: CuReply } | { kind: 'ack'; board: number } | { kind: 'version'; reply: VersionReply };

export interface BusHooks {
  /** Every valid status reply, matched or not, before the waiting call resolves. */
  onReply(reply: CuReply): void;
  /** Junk or a bad checksum on the line (the current request, if any, has been failed). */
  onNoise(kind: 'garbage' | 'checksum', bytes: Buffer): void;
}

/** Line noise as the CU decoders report it. */
type Noise = { type: 'checksum'; frame: Buffer } | { type: 'garbage'; bytes: Buffer };

/**
 * A CU frame decoder as a line decoder: noise passes as noise, and `heard`
 * says what each frame means to the bus (null: nothing, like our own request
 * echoed back by an adapter that hears itself).
 */
export function cuLineDecoder<E extends { type: string }>(
  d: { push(chunk: Uint8Array): Array<E | Noise>; reset(): void },
  heard: (ev: E) => LineEvent<CuHeard> | null,
): LineDecoder<CuHeard> {
  return {
    push(chunk) {
      const out: Array<LineEvent<CuHeard>> = [];
      for (const ev of d.push(chunk)) {
        const n = ev as Noise;
        const e = n.type === 'checksum' ? { type: 'checksum' as const, bytes: n.frame } : n.type === 'garbage' ? n : heard(ev as E);
        if (e) out.push(e);
      }
      return out;
    },
    reset: () => d.reset(),
  };
}

/** The CU16/CU12 frames: status replies and version replies. */
export function cu16LineDecoder(options: DecoderOptions = {}): LineDecoder<CuHeard> {
  return cuLineDecoder(new Cu16Decoder(options), (ev: Cu16Event) => {
    if (ev.type === 'reply') return { type: 'frame', frame: { kind: 'status', reply: ev.reply } };
    if (ev.type === 'version') return { type: 'frame', frame: { kind: 'version', reply: ev.reply } };
    return null;
  });
}

/**
 * The RS-485 half-duplex discipline of the Kerong CU boards, on the shared
 * request line: one request on the wire at a time, the next only after the
 * reply or the timeout, in priority order (unlock > read > poll). A reply is
 * matched by board address: every status reply carries the whole board, so
 * any reply from the addressed board answers the request. A bus-wide request
 * (CU12) holds the wire until every expected board answered or its timeout.
 * A late reply still counts (the line keeps partial frames at a timeout).
 */
export class CuBus {
  private readonly line: RequestLine<CuHeard>;

  constructor(transport: ByteTransport, clock: Clock, hooks: BusHooks, decoder: LineDecoder<CuHeard>) {
    this.line = new RequestLine(
      transport,
      decoder,
      clock,
      {
        heard: (h) => {
          if (h.kind === 'status') hooks.onReply(h.reply);
        },
        noise: (kind, bytes) => hooks.onNoise(kind, bytes),
      },
      { resetOnTimeout: false },
    );
  }

  /** A request one board answers with its status. */
  async request(board: number, frame: Buffer, priority: Priority, timeoutMs: number, label: string): Promise<CuReply> {
    let got: CuReply | null = null;
    await this.line.send({
      bytes: frame, priority, timeoutMs, label, tag: board,
      take: (h) => {
        if (h.kind !== 'status' || h.reply.board !== board) return false;
        got = h.reply;
        return true;
      },
    });
    return got!;
  }

  /** A command one board answers with its status or a bare acknowledgement; `onSent` just before it goes out. */
  async command(board: number, frame: Buffer, priority: Priority, timeoutMs: number, label: string, onSent?: () => void): Promise<void> {
    await this.line.send({
      bytes: frame, priority, timeoutMs, label, tag: board,
      ...(onSent ? { onSent } : {}),
      take: (h) => (h.kind === 'status' && h.reply.board === board) || (h.kind === 'ack' && h.board === board),
    });
  }

  /**
   * A bus-wide status request: resolves with the replies of the `expected`
   * boards that answered, once all have or at the timeout (those missing are
   * simply not in the list). Replies of boards not expected still reach onReply.
   */
  async requestAll(expected: readonly number[], frame: Buffer, priority: Priority, timeoutMs: number, label: string): Promise<CuReply[]> {
    const got = new Map<number, CuReply>();
    await this.line.send({
      bytes: frame, priority, timeoutMs, label, tag: null, outlivesChecksum: true,
      take: (h) => {
        if (h.kind !== 'status' || !h.reply.bus || !expected.includes(h.reply.board)) return false;
        got.set(h.reply.board, h.reply);
        return got.size === expected.length;
      },
      timedOut: () => null,
    });
    return [...got.values()];
  }

  /** The firmware version query of one board. */
  async requestVersion(board: number, frame: Buffer, priority: Priority, timeoutMs: number, label: string): Promise<VersionReply> {
    let got: VersionReply | null = null;
    await this.line.send({
      bytes: frame, priority, timeoutMs, label, tag: board,
      take: (h) => {
        if (h.kind !== 'version' || h.reply.board !== board) return false;
        got = h.reply;
        return true;
      },
    });
    return got!;
  }

  /** Feed bytes from the transport. */
  receive(chunk: Buffer): void {
    this.line.receive(chunk);
  }

  /** Rejects the request on the wire and every waiting one. */
  failAll(err: DeviceError): void {
    this.line.failAll(err);
  }
}
