/**
 * What a server may send a client, packet by packet, in MQTT 3.1.1 (protocol
 * level 4) and MQTT 5 (level 5). Each check returns null for a valid packet
 * or words saying what is wrong. Only the structure mqtt.js relies on is
 * checked (lengths, flags, ids, topics, property framing), not the meaning.
 */

export type MqttLevel = 4 | 5;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function hex(n: number): string {
  return `0x${n.toString(16).padStart(2, '0')}`;
}

/** A Variable Byte Integer at `pos`: its value and size, or null when absent or longer than 4 bytes. */
export function readVarint(buf: Buffer, pos: number): { value: number; size: number } | null {
  let value = 0;
  let mult = 1;
  for (let i = 0; i < 4; i++) {
    if (pos + i >= buf.length) return null;
    const b = buf[pos + i];
    value += (b & 0x7f) * mult;
    if ((b & 0x80) === 0) return { value, size: i + 1 };
    mult *= 128;
  }
  return null;
}

type PropType = 'byte' | 'u16' | 'u32' | 'varint' | 'string' | 'binary' | 'pair';

/** MQTT 5 property identifiers a server may use, by their wire type. */
const PROPS: ReadonlyMap<number, PropType> = new Map<number, PropType>([
  [0x01, 'byte'], // payload format indicator
  [0x02, 'u32'], // message expiry interval
  [0x03, 'string'], // content type
  [0x08, 'string'], // response topic
  [0x09, 'binary'], // correlation data
  [0x0b, 'varint'], // subscription identifier
  [0x11, 'u32'], // session expiry interval
  [0x12, 'string'], // assigned client identifier
  [0x13, 'u16'], // server keep alive
  [0x15, 'string'], // authentication method
  [0x16, 'binary'], // authentication data
  [0x1a, 'string'], // response information
  [0x1c, 'string'], // server reference
  [0x1f, 'string'], // reason string
  [0x21, 'u16'], // receive maximum
  [0x22, 'u16'], // topic alias maximum
  [0x23, 'u16'], // topic alias
  [0x24, 'byte'], // maximum QoS
  [0x25, 'byte'], // retain available
  [0x26, 'pair'], // user property
  [0x27, 'u32'], // maximum packet size
  [0x28, 'byte'], // wildcard subscription available
  [0x29, 'byte'], // subscription identifiers available
  [0x2a, 'byte'], // shared subscription available
]);

function stringAt(buf: Buffer, pos: number, end: number): number | string {
  if (pos + 2 > end) return 'a property string cut short';
  const len = buf.readUInt16BE(pos);
  if (pos + 2 + len > end) return 'a property string longer than its packet';
  try {
    utf8.decode(buf.subarray(pos + 2, pos + 2 + len));
  } catch {
    return 'a property string that is not UTF-8';
  }
  return pos + 2 + len;
}

/**
 * The properties block at `pos` (MQTT 5): where it ends, or what is wrong.
 * Every property must be known and fit inside the block.
 */
export function readProperties(buf: Buffer, pos: number): { end: number } | string {
  const len = readVarint(buf, pos);
  if (len === null) return 'a properties length that is missing or too long';
  let p = pos + len.size;
  const end = p + len.value;
  if (end > buf.length) return 'properties longer than their packet';
  while (p < end) {
    const id = readVarint(buf, p);
    if (id === null) return 'a malformed property identifier';
    p += id.size;
    const type = PROPS.get(id.value);
    if (type === undefined) return `an unknown property ${hex(id.value)}`;
    switch (type) {
      case 'byte':
        p += 1;
        break;
      case 'u16':
        p += 2;
        break;
      case 'u32':
        p += 4;
        break;
      case 'varint': {
        const v = readVarint(buf, p);
        if (v === null || p + v.size > end) return 'a malformed variable-length property';
        p += v.size;
        break;
      }
      case 'binary':
        if (p + 2 > end) return 'binary property cut short';
        p += 2 + buf.readUInt16BE(p);
        break;
      case 'string':
      case 'pair': {
        const a = stringAt(buf, p, end);
        if (typeof a === 'string') return a;
        p = a;
        if (type === 'pair') {
          const b = stringAt(buf, p, end);
          if (typeof b === 'string') return b;
          p = b;
        }
        break;
      }
    }
    if (p > end) return 'a property longer than its block';
  }
  return { end };
}

export function checkConnack(level: MqttLevel, first: number, body: Buffer): string | null {
  if (first !== 0x20) return `a CONNACK with flags ${hex(first & 0x0f)} (must be 0)`;
  if (level === 4 && body.length !== 2) return `a CONNACK of ${body.length} bytes (MQTT 3.1.1 says 2)`;
  if (level === 5 && body.length < 3) return `a CONNACK of ${body.length} bytes (MQTT 5 needs at least 3)`;
  if ((body[0] & 0xfe) !== 0) return 'a CONNACK with reserved acknowledge flags set';
  if (level === 4) return body[1] > 5 ? `a CONNACK with unknown return code ${body[1]}` : null;
  if (body[1] !== 0 && body[1] < 0x80) return `a CONNACK with unknown reason code ${hex(body[1])}`;
  return propsFill(body, 2);
}

/** Properties at `pos` must end exactly where the packet ends (MQTT 5). */
function propsFill(body: Buffer, pos: number): string | null {
  const props = readProperties(body, pos);
  if (typeof props === 'string') return props;
  return props.end === body.length ? null : 'bytes after the properties of a packet without payload';
}

/** PUBACK, PUBREC, PUBREL, PUBCOMP: a packet id, and on MQTT 5 an optional reason code and properties. */
export function checkAck(level: MqttLevel, type: number, body: Buffer): string | null {
  if (level === 4 && body.length !== 2) return `a packet of type ${type} of ${body.length} bytes (must be 2)`;
  if (body.length < 2) return `a packet of type ${type} of ${body.length} bytes (at least 2)`;
  if (body.readUInt16BE(0) === 0) return `a packet of type ${type} with packet id 0`;
  if (level === 5 && body.length > 3) return propsFill(body, 3);
  return null;
}

const SUBACK_V4 = new Set([0x00, 0x01, 0x02, 0x80]);
const SUBACK_V5 = new Set([0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2]);
const UNSUBACK_V5 = new Set([0x00, 0x11, 0x80, 0x83, 0x87, 0x8f, 0x91]);

export function checkSuback(level: MqttLevel, first: number, body: Buffer): string | null {
  if ((first & 0x0f) !== 0) return `a SUBACK with flags ${hex(first & 0x0f)} (must be 0)`;
  if (body.length < 3) return `a SUBACK of ${body.length} bytes`;
  if (body.readUInt16BE(0) === 0) return 'a SUBACK with packet id 0';
  let pos = 2;
  if (level === 5) {
    const props = readProperties(body, 2);
    if (typeof props === 'string') return props;
    pos = props.end;
    if (pos >= body.length) return 'a SUBACK without reason codes';
  }
  const allowed = level === 4 ? SUBACK_V4 : SUBACK_V5;
  for (const rc of body.subarray(pos)) {
    if (!allowed.has(rc)) return `a SUBACK with return code ${hex(rc)}`;
  }
  return null;
}

export function checkUnsuback(level: MqttLevel, first: number, body: Buffer): string | null {
  if ((first & 0x0f) !== 0) return `an UNSUBACK with flags ${hex(first & 0x0f)} (must be 0)`;
  if (level === 4) return checkAck(4, 11, body);
  if (body.length < 3) return `an UNSUBACK of ${body.length} bytes`;
  if (body.readUInt16BE(0) === 0) return 'an UNSUBACK with packet id 0';
  const props = readProperties(body, 2);
  if (typeof props === 'string') return props;
  for (const rc of body.subarray(props.end)) {
    if (!UNSUBACK_V5.has(rc)) return `an UNSUBACK with reason code ${hex(rc)}`;
  }
  return null;
}

/** MQTT 5 only: a server may end the connection with a reason. */
export function checkDisconnect(first: number, body: Buffer): string | null {
  if (first !== 0xe0) return `a DISCONNECT with flags ${hex(first & 0x0f)} (must be 0)`;
  if (body.length <= 1) return null;
  return propsFill(body, 1);
}

export interface PublishHead {
  topic: string;
  qos: number;
  packetId: number;
  payloadAt: number;
}

/**
 * The start of a PUBLISH: fixed-header flags, topic, packet id and (MQTT 5)
 * properties. `body` may be only the first bytes of the packet (an oversized
 * one is checked this way before it is skipped). Returns the topic and where
 * the payload starts, or what is wrong; 'short' when more bytes are needed.
 */
export function readPublishHead(
  level: MqttLevel,
  first: number,
  body: Buffer,
  bodyLength: number,
): PublishHead | 'short' | { problem: string } {
  const qos = (first >> 1) & 0x03;
  if (qos === 3) return { problem: 'a PUBLISH with QoS 3' };
  if (qos === 0 && (first & 0x08) !== 0) return { problem: 'a PUBLISH with DUP set at QoS 0' };
  if (bodyLength < 2) return { problem: 'a PUBLISH without a topic' };
  if (body.length < 2) return 'short';
  const topicLen = body.readUInt16BE(0);
  // MQTT 5 allows an empty topic with a topic alias, but the kiosk announces no alias maximum (0): none may come.
  if (topicLen === 0) return { problem: 'a PUBLISH with an empty topic' };
  const idLen = qos > 0 ? 2 : 0;
  if (bodyLength < 2 + topicLen + idLen) return { problem: 'a PUBLISH shorter than its topic and packet id' };
  if (body.length < 2 + topicLen + idLen) return 'short';
  let topic: string;
  try {
    topic = utf8.decode(body.subarray(2, 2 + topicLen));
  } catch {
    return { problem: 'a PUBLISH whose topic is not UTF-8' };
  }
  if (/[+#]/.test(topic) || topic.includes('\u0000')) return { problem: 'a PUBLISH whose topic holds a wildcard or NUL' };
  const packetId = qos > 0 ? body.readUInt16BE(2 + topicLen) : 0;
  if (qos > 0 && packetId === 0) return { problem: 'a PUBLISH with packet id 0' };
  let payloadAt = 2 + topicLen + idLen;
  if (level === 5) {
    const len = readVarint(body, payloadAt);
    if (len === null) {
      if (body.length - payloadAt >= 4 || body.length >= bodyLength) return { problem: 'a PUBLISH whose properties length is malformed' };
      return 'short';
    }
    const end = payloadAt + len.size + len.value;
    if (end > bodyLength) return { problem: 'a PUBLISH whose properties are longer than the packet' };
    if (end > body.length) return 'short';
    const props = readProperties(body.subarray(0, end), payloadAt);
    if (typeof props === 'string') return { problem: props };
    payloadAt = end;
  }
  return { topic, qos, packetId, payloadAt };
}
