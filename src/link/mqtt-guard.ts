/**
 * A gate between the broker's socket and mqtt.js: it frames the bytes a
 * broker sends into MQTT packets and lets through only packets that
 * MQTT 3.1.1 or 5 (whichever was asked for) allows a server to send. mqtt.js turns some malformed packets into
 * exceptions thrown from inside its stream handling (a CONNACK with extra
 * bytes reaches its keepalive code with garbage), which no listener can
 * catch; refusing them here, before mqtt.js parses anything, keeps a broken
 * or hostile broker from taking the kiosk down.
 */
import {
  checkAck,
  checkConnack,
  checkDisconnect,
  checkSuback,
  checkUnsuback,
  hex,
  readPublishHead,
  type MqttLevel,
} from './mqtt-checks.js';

/** The largest packet accepted from a broker (the envelope cap is 4 MiB; base64 and MQTT add a little). */
export const MAX_INBOUND_PACKET = 8 * 1024 * 1024;

/** Where an oversized PUBLISH is turned into an empty one, so mqtt.js acknowledges it; never a broker topic. */
export const DISCARDED_TOPIC = '$pk/discarded';

/** The most of an oversized PUBLISH read before its payload (topic, id, properties); more is refused. */
const MAX_HEAD = 70_000;

/** A PUBLISH above the limit that was read past and dropped, never handed on. */
export interface Discarded {
  topic: string;
  bytes: number;
  qos: number;
}

export type FrameResult = { ok: true; packets: Buffer[]; discarded: Discarded[] } | { ok: false; reason: string };

/**
 * Frames and checks a server → client MQTT byte stream. Feed it chunks in order.
 * A PUBLISH above `maxPacket` is not buffered: its head is checked, the rest
 * is skipped as it arrives, and (QoS 1 or 2) an empty PUBLISH with the same
 * packet id to DISCARDED_TOPIC takes its place, so the broker gets its
 * acknowledgement and moves on instead of sending it again on every connect.
 */
export class InboundFramer {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Bytes the current packet needs before it can be read (0: unknown yet). */
  private need = 0;
  /** Bytes of an oversized PUBLISH still to skip. */
  private skip = 0;
  private sawConnack = false;
  private failed: string | null = null;

  constructor(
    private readonly maxPacket = MAX_INBOUND_PACKET,
    private readonly level: MqttLevel = 4,
  ) {}

  /** Complete, valid packets in this chunk (plus earlier leftovers), or why the stream is broken. */
  feed(chunk: Buffer): FrameResult {
    if (this.failed !== null) return { ok: false, reason: this.failed };
    const packets: Buffer[] = [];
    const discarded: Discarded[] = [];
    if (this.skip > 0) {
      const n = Math.min(this.skip, chunk.length);
      this.skip -= n;
      chunk = chunk.subarray(n);
    }
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    // Appending without copying until a packet is whole keeps a large packet from being copied once per chunk.
    while (this.buffered > 0 && this.buffered >= this.need) {
      const buf = this.flatten();
      const header = readHeader(buf, 0);
      if (header === 'short') break;
      if (header === 'bad-length') return this.fail('a packet length field longer than 4 bytes');
      const total = header.headerLen + header.remaining;
      if (header.remaining > this.maxPacket) {
        const r = this.oversized(buf, header, discarded);
        if (typeof r === 'string') {
          if (r === 'short') break;
          return this.fail(r);
        }
        packets.push(...r);
        continue;
      }
      if (buf.length < total) {
        this.need = total;
        break;
      }
      const packet = buf.subarray(0, total);
      const problem = this.check(packet[0], packet.subarray(header.headerLen));
      if (problem !== null) return this.fail(problem);
      packets.push(packet);
      this.advance(total);
    }
    // What follows the last packet is copied once per chunk (not once per packet: a flood of small packets
    // would copy its whole rest again for each one), so a large chunk's memory is not held by a few bytes.
    if (this.chunks.length === 1 && this.chunks[0].length < this.chunks[0].buffer.byteLength) this.chunks = [Buffer.from(this.chunks[0])];
    return { ok: true, packets, discarded };
  }

  /** Steps past a packet without copying what follows it (feed copies the rest once at its end). */
  private advance(total: number): void {
    const rest = this.chunks[0].subarray(total);
    this.chunks = rest.length === 0 ? [] : [rest];
    this.buffered = rest.length;
    this.need = 0;
  }

  /** Reads the head of an oversized packet, then starts skipping it. */
  private oversized(buf: Buffer, header: Header, discarded: Discarded[]): Buffer[] | string {
    const first = buf[0];
    if (first >> 4 !== 3 || !this.sawConnack) {
      return `a packet of ${header.remaining} bytes (the limit is ${this.maxPacket})`;
    }
    const body = buf.subarray(header.headerLen);
    const head = readPublishHead(this.level, first, body, header.remaining);
    if (head === 'short') {
      if (body.length >= MAX_HEAD) return `an oversized PUBLISH whose head is over ${MAX_HEAD} bytes`;
      this.need = Math.min(buf.length + 1024, header.headerLen + MAX_HEAD);
      return 'short';
    }
    if ('problem' in head) return head.problem;
    const total = header.headerLen + header.remaining;
    discarded.push({ topic: head.topic, bytes: header.remaining, qos: head.qos });
    if (buf.length >= total) this.keep(buf.subarray(total));
    else {
      this.skip = total - buf.length;
      this.keep(Buffer.alloc(0));
    }
    return head.qos === 0 ? [] : [emptyPublish(this.level, first, head.packetId)];
  }

  /** The buffered chunks as one buffer (copies only when there are several). */
  private flatten(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.buffered)];
    return this.chunks[0];
  }

  /** Keeps what follows a packet (a copy, so a large packet's memory is not held by a few bytes after it). */
  private keep(rest: Buffer): void {
    this.chunks = rest.length === 0 ? [] : [Buffer.from(rest)];
    this.buffered = rest.length;
    this.need = 0;
  }

  private fail(reason: string): FrameResult {
    this.failed = `broker sent ${reason}`;
    this.chunks = [];
    this.buffered = 0;
    return { ok: false, reason: this.failed };
  }

  private check(first: number, body: Buffer): string | null {
    const type = first >> 4;
    if (!this.sawConnack && type !== 2) return `packet type ${type} before its CONNACK`;
    const level = this.level;
    switch (type) {
      case 2: // CONNACK
        if (this.sawConnack) return 'a second CONNACK on one connection';
        this.sawConnack = true;
        return checkConnack(level, first, body);
      case 3: {
        const head = readPublishHead(level, first, body, body.length);
        if (head === 'short') return 'a PUBLISH cut short';
        return 'problem' in head ? head.problem : null;
      }
      case 4: // PUBACK
      case 5: // PUBREC
      case 7: // PUBCOMP
        if ((first & 0x0f) !== 0) return `a packet of type ${type} with flags ${hex(first & 0x0f)} (must be 0)`;
        return checkAck(level, type, body);
      case 6: // PUBREL
        if ((first & 0x0f) !== 0x02) return `a PUBREL with flags ${hex(first & 0x0f)} (must be 2)`;
        return checkAck(level, type, body);
      case 9:
        return checkSuback(level, first, body);
      case 11:
        return checkUnsuback(level, first, body);
      case 13: // PINGRESP
        if (first !== 0xd0 || body.length !== 0) return 'a malformed PINGRESP';
        return null;
      case 14: // DISCONNECT: a server may send one on MQTT 5 only
        if (level === 5) return checkDisconnect(first, body);
        return `packet type ${type}, which a server never sends to a client`;
      default:
        return `packet type ${type}, which a server never sends to a client`;
    }
  }
}

/** A PUBLISH to DISCARDED_TOPIC with the flags and packet id of the one it replaces, and no payload. */
function emptyPublish(level: MqttLevel, first: number, packetId: number): Buffer {
  const topic = Buffer.from(DISCARDED_TOPIC);
  // (MQTT 5: one more byte, an empty properties block.)
  const body = Buffer.alloc(2 + topic.length + 2 + (level === 5 ? 1 : 0));
  body.writeUInt16BE(topic.length, 0);
  topic.copy(body, 2);
  body.writeUInt16BE(packetId, 2 + topic.length);
  // Retain cleared: a discarded message must not look retained.
  return Buffer.concat([Buffer.of(first & 0xfe, body.length), body]);
}

type Header = { headerLen: number; remaining: number };

/** The fixed header at `pos`: 'short' when more bytes are needed. */
function readHeader(buf: Buffer, pos: number): Header | 'short' | 'bad-length' {
  if (pos + 2 > buf.length) return 'short';
  let remaining = 0;
  let mult = 1;
  for (let i = 1; i <= 4; i++) {
    if (pos + i >= buf.length) return 'short';
    const b = buf[pos + i];
    remaining += (b & 0x7f) * mult;
    if ((b & 0x80) === 0) return { headerLen: 1 + i, remaining };
    mult *= 128;
  }
  return 'bad-length';
}
