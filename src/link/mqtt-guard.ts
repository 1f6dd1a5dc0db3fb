/**
 * A gate between the broker's socket and mqtt.js: it frames the bytes a
 * broker sends into MQTT 3.1.1 packets and lets through only packets that
 * 3.1.1 allows a server to send. mqtt.js turns some malformed packets into
 * exceptions thrown from inside its stream handling (a CONNACK with extra
 * bytes reaches its keepalive code with garbage), which no listener can
 * catch; refusing them here, before mqtt.js parses anything, keeps a broken
 * or hostile broker from taking the kiosk down.
 */

/** The largest packet accepted from a broker (the envelope cap is 4 MiB; base64 and MQTT add a little). */
export const MAX_INBOUND_PACKET = 8 * 1024 * 1024;

export type FrameResult = { ok: true; packets: Buffer[] } | { ok: false; reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Frames and checks a server → client MQTT 3.1.1 byte stream. Feed it chunks in order. */
export class InboundFramer {
  private buf: Buffer = Buffer.alloc(0);
  private sawConnack = false;
  private failed: string | null = null;

  constructor(private readonly maxPacket = MAX_INBOUND_PACKET) {}

  /** Complete, valid packets in this chunk (plus earlier leftovers), or why the stream is broken. */
  feed(chunk: Buffer): FrameResult {
    if (this.failed !== null) return { ok: false, reason: this.failed };
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const packets: Buffer[] = [];
    let pos = 0;
    for (;;) {
      const header = readHeader(this.buf, pos);
      if (header === 'short') break;
      if (header === 'bad-length') return this.fail('a packet length field longer than 4 bytes');
      const total = header.headerLen + header.remaining;
      if (header.remaining > this.maxPacket) {
        return this.fail(`a packet of ${header.remaining} bytes (the limit is ${this.maxPacket})`);
      }
      if (pos + total > this.buf.length) break;
      const packet = this.buf.subarray(pos, pos + total);
      const problem = this.check(packet[0], packet.subarray(header.headerLen));
      if (problem !== null) return this.fail(problem);
      packets.push(packet);
      pos += total;
    }
    this.buf = pos === this.buf.length ? Buffer.alloc(0) : Buffer.from(this.buf.subarray(pos));
    return { ok: true, packets };
  }

  private fail(reason: string): FrameResult {
    this.failed = `broker sent ${reason}`;
    this.buf = Buffer.alloc(0);
    return { ok: false, reason: this.failed };
  }

  private check(first: number, body: Buffer): string | null {
    const type = first >> 4;
    if (!this.sawConnack && type !== 2) return `packet type ${type} before its CONNACK`;
    switch (type) {
      case 2: // CONNACK
        if (this.sawConnack) return 'a second CONNACK on one connection';
        this.sawConnack = true;
        if (first !== 0x20) return `a CONNACK with flags ${hex(first & 0x0f)} (must be 0)`;
        if (body.length !== 2) return `a CONNACK of ${body.length} bytes (MQTT 3.1.1 says 2)`;
        if ((body[0] & 0xfe) !== 0) return 'a CONNACK with reserved acknowledge flags set';
        if (body[1] > 5) return `a CONNACK with unknown return code ${body[1]}`;
        return null;
      case 3:
        return checkPublish(first, body);
      case 4: // PUBACK
      case 5: // PUBREC
      case 7: // PUBCOMP
      case 11: // UNSUBACK
        if ((first & 0x0f) !== 0) return `a packet of type ${type} with flags ${hex(first & 0x0f)} (must be 0)`;
        return checkPacketIdOnly(type, body);
      case 6: // PUBREL
        if ((first & 0x0f) !== 0x02) return `a PUBREL with flags ${hex(first & 0x0f)} (must be 2)`;
        return checkPacketIdOnly(type, body);
      case 9: // SUBACK
        if ((first & 0x0f) !== 0) return `a SUBACK with flags ${hex(first & 0x0f)} (must be 0)`;
        if (body.length < 3) return `a SUBACK of ${body.length} bytes`;
        if (body.readUInt16BE(0) === 0) return 'a SUBACK with packet id 0';
        for (const rc of body.subarray(2)) {
          if (rc !== 0 && rc !== 1 && rc !== 2 && rc !== 0x80) return `a SUBACK with return code ${hex(rc)}`;
        }
        return null;
      case 13: // PINGRESP
        if (first !== 0xd0 || body.length !== 0) return 'a malformed PINGRESP';
        return null;
      default:
        return `packet type ${type}, which a server never sends to a client`;
    }
  }
}

function checkPacketIdOnly(type: number, body: Buffer): string | null {
  if (body.length !== 2) return `a packet of type ${type} of ${body.length} bytes (must be 2)`;
  if (body.readUInt16BE(0) === 0) return `a packet of type ${type} with packet id 0`;
  return null;
}

function checkPublish(first: number, body: Buffer): string | null {
  const qos = (first >> 1) & 0x03;
  if (qos === 3) return 'a PUBLISH with QoS 3';
  if (qos === 0 && (first & 0x08) !== 0) return 'a PUBLISH with DUP set at QoS 0';
  if (body.length < 2) return 'a PUBLISH without a topic';
  const topicLen = body.readUInt16BE(0);
  if (topicLen === 0) return 'a PUBLISH with an empty topic';
  const idLen = qos > 0 ? 2 : 0;
  if (body.length < 2 + topicLen + idLen) return 'a PUBLISH shorter than its topic and packet id';
  let topic: string;
  try {
    topic = utf8.decode(body.subarray(2, 2 + topicLen));
  } catch {
    return 'a PUBLISH whose topic is not UTF-8';
  }
  if (/[+#]/.test(topic) || topic.includes('\u0000')) return 'a PUBLISH whose topic holds a wildcard or NUL';
  if (qos > 0 && body.readUInt16BE(2 + topicLen) === 0) return 'a PUBLISH with packet id 0';
  return null;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(2, '0')}`;
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
