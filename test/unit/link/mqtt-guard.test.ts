import { describe, expect, it, vi } from 'vitest';
import { InboundFramer } from '../../../src/link/mqtt-guard.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// CONNACK ok, SUBACK (id 1, granted QoS 1), PUBLISH QoS 1 "a/b" id 2 payload "hi", PUBLISH QoS 0, PINGRESP, PUBACK id 3.
const GOOD = hex('20 02 00 00  90 03 00 01 01  32 09 00 03 61 2f 62 00 02 68 69  30 05 00 03 61 2f 62  d0 00  40 02 00 03');

describe('inbound MQTT 3.1.1 framer', () => {
  it('passes a valid stream through as whole packets, however it is split', () => {
    const whole = new InboundFramer().feed(GOOD);
    expect(whole.ok && whole.packets.map((p) => p.toString('hex'))).toEqual([
      '20020000',
      '9003000101',
      '32090003612f6200026869',
      '30050003612f62',
      'd000',
      '40020003',
    ]);
    for (let cut = 1; cut < GOOD.length; cut++) {
      const f = new InboundFramer();
      const a = f.feed(GOOD.subarray(0, cut));
      const b = f.feed(GOOD.subarray(cut));
      expect(a.ok && b.ok).toBe(true);
      if (a.ok && b.ok) expect(Buffer.concat([...a.packets, ...b.packets]).equals(GOOD)).toBe(true);
    }
    // One byte at a time.
    const f = new InboundFramer();
    const out: Buffer[] = [];
    for (const byte of GOOD) {
      const r = f.feed(Buffer.of(byte));
      expect(r.ok).toBe(true);
      if (r.ok) out.push(...r.packets);
    }
    expect(Buffer.concat(out).equals(GOOD)).toBe(true);
  });

  it('reads multi-byte lengths', () => {
    const payload = Buffer.alloc(300, 0x41);
    const body = Buffer.concat([hex('0003 612f62'), payload]);
    const pkt = Buffer.concat([hex('30'), Buffer.of((body.length & 0x7f) | 0x80, body.length >> 7), body]);
    const r = new InboundFramer().feed(Buffer.concat([hex('20020000'), pkt]));
    expect(r.ok && r.packets[1].equals(pkt)).toBe(true);
  });

  const bad: Array<[string, string, RegExp]> = [
    ['the 4-byte CONNACK mqtt.js throws on', '200400000113', /CONNACK of 4 bytes/],
    ['CONNACK flags', '21020000', /CONNACK with flags/],
    ['CONNACK reserved ack flags', '20020200', /reserved acknowledge flags/],
    ['CONNACK return code 6', '20020006', /unknown return code 6/],
    ['two CONNACKs', '2002000020020000', /second CONNACK/],
    ['PUBLISH before CONNACK', '30050003612f62', /before its CONNACK/],
    ['QoS 3', '200200003605 0003612f62'.replace(/ /g, ''), /QoS 3/],
    ['DUP at QoS 0', '2002000038050003612f62', /DUP set at QoS 0/],
    ['empty topic', '20020000300200 00'.replace(/ /g, ''), /empty topic/],
    ['wildcard topic', '20020000300500032f2b2f', /wildcard/],
    ['NUL in topic', '20020000300500036100 62'.replace(/ /g, ''), /NUL/],
    ['topic not UTF-8', '2002000030050003ff fe fd'.replace(/ /g, ''), /not UTF-8/],
    ['packet id 0', '2002000032070003612f620000', /packet id 0/],
    ['topic longer than the packet', '20020000300300ff61', /shorter than its topic/],
    ['PUBACK of 3 bytes', '2002000040030001 00'.replace(/ /g, ''), /of 3 bytes/],
    ['PUBREL flags', '2002000060020001', /PUBREL with flags/],
    ['SUBACK return code 3', '20020000900300 0103'.replace(/ /g, ''), /return code 0x03/],
    ['SUBACK too short', '200200009002 0001'.replace(/ /g, ''), /SUBACK of 2 bytes/],
    ['PINGRESP with a body', '20020000d00100', /PINGRESP/],
    ['PINGREQ from a server', '20020000c000', /never sends/],
    ['SUBSCRIBE from a server', '200200008200', /never sends/],
    ['reserved type 15', '20020000f000', /never sends/],
    ['a 5-byte length', '20ffffffff7f', /longer than 4 bytes/],
  ];

  it.each(bad)('refuses %s', (_name, bytes, reason) => {
    const r = new InboundFramer().feed(hex(bytes));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it('refuses a packet other than PUBLISH above the size limit before it arrives in full, and stays refused', () => {
    const f = new InboundFramer(1000);
    expect(f.feed(hex('20020000')).ok).toBe(true);
    const r = f.feed(hex('90e907')); // a SUBACK of 1001 bytes announced
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/1001 bytes \(the limit is 1000\)/);
    expect(f.feed(hex('d000')).ok).toBe(false);
  });
});

/** A PUBLISH of `size` payload bytes to topic "k/m" (QoS 1, id 7 when qos is 1). */
function publish(size: number, qos: 0 | 1, level: 4 | 5 = 4): Buffer {
  const head = Buffer.concat([hex('0003 6b2f6d'), qos ? hex('0007') : Buffer.alloc(0), level === 5 ? hex('00') : Buffer.alloc(0)]);
  const remaining = head.length + size;
  const len: number[] = [];
  let n = remaining;
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    len.push(b);
  } while (n > 0);
  return Buffer.concat([Buffer.of(qos ? 0x32 : 0x30, ...len), head, Buffer.alloc(size, 0x61)]);
}

describe('many packets in one chunk', () => {
  // A hostile broker's PINGRESP flood: 100,000 two-byte packets in 200 kB. Copying what follows each packet
  // again made that 10 GB of copies (the kiosk's loop busy for seconds, its memory in GB until the next GC).
  it('copies what follows the packets once per chunk, not once per packet', () => {
    const flood = Buffer.concat([hex('20 02 00 00'), Buffer.alloc(20_000, 0).map((_, i) => (i % 2 === 0 ? 0xd0 : 0x00)), hex('d0')]);
    const f = new InboundFramer();
    const from = vi.spyOn(Buffer, 'from');
    const concat = vi.spyOn(Buffer, 'concat');
    try {
      const r = f.feed(flood);
      expect(r.ok && r.packets.length).toBe(10_001);
      expect(from.mock.calls.length + concat.mock.calls.length).toBeLessThanOrEqual(2);
    } finally {
      from.mockRestore();
      concat.mockRestore();
    }
    // The half packet left over is whole with the next byte.
    const rest = f.feed(hex('00'));
    expect(rest.ok && rest.packets.map((p) => p.toString('hex'))).toEqual(['d000']);
  });
});

describe('an oversized PUBLISH', () => {
  it.each([4, 5] as const)('is skipped without being buffered, replaced by an empty QoS 1 PUBLISH with its id, and the stream goes on (MQTT level %i)', (level) => {
    const f = new InboundFramer(1000, level);
    const connack = level === 4 ? '20020000' : '2003000000';
    const big = publish(5000, 1, level);
    const next = publish(10, 1, level);
    const stream = Buffer.concat([hex(connack), big, next]);
    const out: Buffer[] = [];
    const discarded: Array<{ topic: string; bytes: number }> = [];
    for (let i = 0; i < stream.length; i += 333) {
      const r = f.feed(stream.subarray(i, i + 333));
      expect(r.ok).toBe(true);
      if (r.ok) {
        out.push(...r.packets);
        discarded.push(...r.discarded);
      }
      // Never holds more than a chunk and a head: the 5000 payload bytes are not kept.
      expect((f as unknown as { buffered: number }).buffered).toBeLessThan(1100);
    }
    expect(discarded).toEqual([{ topic: 'k/m', bytes: big.length - 3, qos: 1 }]);
    expect(out.length).toBe(3);
    const empty = out[1];
    expect(empty[0]).toBe(0x32);
    expect(empty.includes(Buffer.from('$pk/discarded'))).toBe(true);
    expect(empty.subarray(empty.length - (level === 5 ? 3 : 2), empty.length - (level === 5 ? 1 : 0)).toString('hex')).toBe('0007');
    expect(out[2].equals(next)).toBe(true);
  });

  it('at QoS 0 leaves nothing behind', () => {
    const f = new InboundFramer(1000);
    const r = f.feed(Buffer.concat([hex('20020000'), publish(2000, 0), hex('d000')]));
    expect(r.ok && r.packets.map((p) => p.toString('hex'))).toEqual(['20020000', 'd000']);
    expect(r.ok && r.discarded.length).toBe(1);
  });

  it('is still checked: a bad topic in an oversized PUBLISH is refused', () => {
    const f = new InboundFramer(1000);
    const big = publish(2000, 1);
    big[5] = 0x2b; // "k+m"
    const r = f.feed(Buffer.concat([hex('20020000'), big]));
    expect(r.ok).toBe(false);
  });
});

describe('inbound MQTT 5 framer', () => {
  it('passes CONNACK with properties, SUBACK, PUBLISH with properties, PUBACK with a reason, DISCONNECT', () => {
    // CONNACK: flags 0, rc 0, props: 0x27 max packet size 1024 (5 bytes) + 0x22 alias max 0 (3 bytes).
    const connack = hex('200b 00 00 08 27 00000400 22 0000');
    const suback = hex('9004 0001 00 01');
    // PUBLISH QoS 1 "k/m" id 2, properties: payload format indicator 1; payload "hi".
    const pub = hex('320c 0003 6b2f6d 0002 02 0101 6869');
    const puback = hex('4004 0003 10 00');
    const disconnect = hex('e001 8b');
    const r = new InboundFramer(1000, 5).feed(Buffer.concat([connack, suback, pub, puback, disconnect]));
    expect(r.ok ? r.packets.length : r.reason).toBe(5);
  });

  const bad: Array<[string, string, RegExp]> = [
    ['a 2-byte CONNACK', '20020000', /needs at least 3/],
    ['an unknown property', '20050000 02 7f00', /unknown property 0x7f/],
    ['properties longer than the CONNACK', '20040000 0527', /longer than/],
    ['a SUBACK reason 0x05', '2003000000 9004 0001 00 05', /return code 0x05/],
    ['a PUBLISH whose properties run past it', '2003000000 3006 0003 6b2f6d 09', /properties/],
    ['AUTH from the server', '2003000000 f000', /never sends/],
  ];

  it.each(bad)('refuses %s', (_name, bytes, reason) => {
    const r = new InboundFramer(1000, 5).feed(hex(bytes));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });
});
