import { describe, expect, it } from 'vitest';
import {
  commands,
  confirmationWords,
  DEFAULT_ADDRESS,
  encodeAck,
  encodeDataPackets,
  encodePacket,
  encodeSystemParameters,
  parseAck,
  parseCommand,
  parseMatchScore,
  parseSystemParameters,
  R30xDecoder,
  type DecodeEvent,
  type R30xPacket,
} from '../../../drivers/fingerprint/r30x-codec.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function packets(events: DecodeEvent[]): R30xPacket[] {
  return events.flatMap((e) => (e.type === 'packet' ? [e.packet] : []));
}

describe('r30x codec: encoding (vectors from the module manuals)', () => {
  it('encodes the commands the driver sends', () => {
    const A = DEFAULT_ADDRESS;
    expect(commands.vfyPwd(A, 0)).toEqual(hex('EF01 FFFFFFFF 01 0007 13 00000000 001B'));
    expect(commands.genImg(A)).toEqual(hex('EF01 FFFFFFFF 01 0003 01 0005'));
    expect(commands.img2Tz(A, 1)).toEqual(hex('EF01 FFFFFFFF 01 0004 02 01 0008'));
    expect(commands.match(A)).toEqual(hex('EF01 FFFFFFFF 01 0003 03 0007'));
    expect(commands.upChar(A, 1)).toEqual(hex('EF01 FFFFFFFF 01 0004 08 01 000E'));
    expect(commands.downChar(A, 2)).toEqual(hex('EF01 FFFFFFFF 01 0004 09 02 0010'));
    expect(commands.readSysPara(A)).toEqual(hex('EF01 FFFFFFFF 01 0003 0F 0013'));
  });

  it('puts a non-default address and password on the wire big-endian', () => {
    expect(commands.vfyPwd(0x12345678, 0xa1b2c3d4)).toEqual(
      // checksum: 01 + 00 + 07 + 13 + A1 + B2 + C3 + D4 = 0x0305
      hex('EF01 12345678 01 0007 13 A1B2C3D4 0305'),
    );
  });

  it('encodes acks with a checksum over id, length and payload', () => {
    expect(encodeAck(DEFAULT_ADDRESS, 0x00)).toEqual(hex('EF01 FFFFFFFF 07 0003 00 000A'));
    expect(encodeAck(DEFAULT_ADDRESS, 0x00, hex('00C8'))).toEqual(hex('EF01 FFFFFFFF 07 0005 00 00C8 00D4'));
  });

  it('refuses to encode a payload over 256 bytes (a caller bug)', () => {
    expect(() => encodePacket({ address: 0, kind: 'data', payload: Buffer.alloc(257) })).toThrow(RangeError);
  });

  it('splits a character file into data packets ending with an end packet', () => {
    const file = Buffer.from(Array.from({ length: 512 }, (_, i) => i & 0xff));
    for (const [size, count] of [
      [32, 16],
      [64, 8],
      [128, 4],
      [256, 2],
    ] as const) {
      const wire = encodeDataPackets(DEFAULT_ADDRESS, file, size);
      expect(wire).toHaveLength(count);
      const got = packets(new R30xDecoder().push(Buffer.concat(wire)));
      expect(got.map((p) => p.kind)).toEqual([...Array<string>(count - 1).fill('data'), 'end']);
      expect(got.every((p) => p.payload.length === size)).toBe(true);
      expect(Buffer.concat(got.map((p) => p.payload))).toEqual(file);
    }
  });

  it('sends an empty transfer as one empty end packet', () => {
    const wire = encodeDataPackets(DEFAULT_ADDRESS, Buffer.alloc(0), 128);
    expect(wire).toEqual([hex('EF01 FFFFFFFF 08 0002 000A')]);
  });
});

describe('r30x codec: decoding', () => {
  it('decodes an ack fed one byte at a time', () => {
    const d = new R30xDecoder();
    const wire = encodeAck(DEFAULT_ADDRESS, 0x00, hex('0064'));
    const events: DecodeEvent[] = [];
    for (const b of wire) events.push(...d.push(Buffer.of(b)));
    expect(events).toEqual([
      { type: 'packet', packet: { address: DEFAULT_ADDRESS, kind: 'ack', payload: hex('000064') } },
    ]);
    expect(d.buffered).toBe(0);
    expect(parseAck(packets(events)[0])).toEqual({ code: 0, params: hex('0064') });
    expect(parseMatchScore(hex('0064'))).toBe(100);
  });

  it('decodes joined packets from one chunk, in order', () => {
    const wire = Buffer.concat([commands.genImg(1), encodeAck(1, 2), commands.match(1)]);
    const got = packets(new R30xDecoder().push(wire));
    expect(got.map((p) => p.kind)).toEqual(['command', 'ack', 'command']);
    expect(parseCommand(got[2])).toEqual({ instruction: 0x03, params: Buffer.alloc(0) });
  });

  it('reports garbage before a packet and still decodes the packet', () => {
    const events = new R30xDecoder().push(Buffer.concat([hex('00 55 EF 02 FF'), encodeAck(7, 0)]));
    expect(events[0]).toEqual({ type: 'garbage', bytes: 5 });
    expect(packets(events)).toHaveLength(1);
  });

  it('keeps a trailing EF as a possible header start', () => {
    const d = new R30xDecoder();
    const ack = encodeAck(DEFAULT_ADDRESS, 0);
    expect(d.push(Buffer.concat([hex('1234'), ack.subarray(0, 1)]))).toEqual([{ type: 'garbage', bytes: 2 }]);
    expect(packets(d.push(ack.subarray(1)))).toHaveLength(1);
  });

  it('reports a bad checksum with both sums and decodes the next packet', () => {
    const bad = encodeAck(DEFAULT_ADDRESS, 0);
    bad[bad.length - 1] ^= 0x01;
    const events = new R30xDecoder().push(Buffer.concat([bad, encodeAck(DEFAULT_ADDRESS, 0x08)]));
    expect(events).toEqual([
      { type: 'bad-checksum', address: DEFAULT_ADDRESS, kind: 'ack', expected: 0x000a, received: 0x000b },
      { type: 'packet', packet: { address: DEFAULT_ADDRESS, kind: 'ack', payload: hex('08') } },
    ]);
  });

  it('drops an unknown packet id or an impossible length and resyncs', () => {
    const badId = hex('EF01 FFFFFFFF 05 0003 00 0008');
    const tooLong = hex('EF01 FFFFFFFF 02 0FFF 00');
    const events = new R30xDecoder().push(Buffer.concat([badId, tooLong, encodeAck(1, 0)]));
    expect(packets(events)).toEqual([{ address: 1, kind: 'ack', payload: hex('00') }]);
    expect(events.filter((e) => e.type === 'garbage').reduce((n, e) => n + (e.type === 'garbage' ? e.bytes : 0), 0)).toBe(
      badId.length + tooLong.length,
    );
  });

  it('finds a packet behind a cut-off packet once its bytes have filled the cut one', () => {
    // A data packet cut after 20 bytes: its length says 130, so the ack behind it is first
    // taken as its body; the checksum fails, and the ack is found inside.
    const cut = encodeDataPackets(DEFAULT_ADDRESS, Buffer.alloc(128, 0x11), 128)[0].subarray(0, 20);
    const d = new R30xDecoder();
    const first = d.push(Buffer.concat([cut, encodeAck(DEFAULT_ADDRESS, 0)]));
    expect(packets(first)).toEqual([]);
    // The line goes quiet: flush gives up the cut packet and finds the ack.
    const flushed = d.flush();
    expect(packets(flushed)).toEqual([{ address: DEFAULT_ADDRESS, kind: 'ack', payload: hex('00') }]);
    expect(d.buffered).toBe(0);
  });

  it('flush drops a half packet as garbage and leaves nothing held', () => {
    const d = new R30xDecoder();
    expect(d.push(encodeAck(1, 0).subarray(0, 7))).toEqual([]);
    expect(d.buffered).toBe(7);
    expect(d.flush()).toEqual([{ type: 'garbage', bytes: 7 }]);
    expect(d.buffered).toBe(0);
  });

  it('reset forgets a half packet', () => {
    const d = new R30xDecoder();
    d.push(encodeAck(1, 0).subarray(0, 10));
    d.reset();
    expect(packets(d.push(encodeAck(1, 0x02)))).toEqual([{ address: 1, kind: 'ack', payload: hex('02') }]);
  });
});

describe('r30x codec: replies and words', () => {
  it('round-trips system parameters and reads the packet size code', () => {
    const params = {
      statusRegister: 0,
      systemId: 9,
      librarySize: 300,
      securityLevel: 3,
      address: 0xffffffff,
      packetSize: 64,
      baudRate: 57600,
    };
    const raw = encodeSystemParameters(params);
    expect(raw).toEqual(hex('0000 0009 012C 0003 FFFFFFFF 0001 0006'));
    expect(parseSystemParameters(raw)).toEqual(params);
    expect(parseSystemParameters(hex('0000 0009 012C 0003 FFFFFFFF 0007 0006'))).toBeUndefined();
    expect(parseSystemParameters(raw.subarray(0, 15))).toBeUndefined();
  });

  it('puts confirmation codes in words with their hex', () => {
    expect(confirmationWords(0x00)).toBe('ok (0x00)');
    expect(confirmationWords(0x02)).toBe('no finger (0x02)');
    expect(confirmationWords(0x06)).toBe('image messy (0x06)');
    expect(confirmationWords(0x07)).toBe('too few points (0x07)');
    expect(confirmationWords(0x0a)).toBe('merge fail (0x0A)');
    expect(confirmationWords(0x0e)).toBe('receive fail (0x0E)');
    expect(confirmationWords(0x13)).toBe('wrong password (0x13)');
    expect(confirmationWords(0x15)).toBe('no valid image (0x15)');
    expect(confirmationWords(0x18)).toBe('flash error (0x18)');
    expect(confirmationWords(0x42)).toBe('unknown code (0x42)');
  });
});
