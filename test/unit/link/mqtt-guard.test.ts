import { describe, expect, it } from 'vitest';
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

  it('refuses a packet above the size limit before it arrives in full, and stays refused', () => {
    const f = new InboundFramer(1000);
    expect(f.feed(hex('20020000')).ok).toBe(true);
    const r = f.feed(hex('30e907')); // 1001 bytes announced
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/1001 bytes \(the limit is 1000\)/);
    expect(f.feed(hex('d000')).ok).toBe(false);
  });
});
