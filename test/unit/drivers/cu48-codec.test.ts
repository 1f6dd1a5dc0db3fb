import { describe, expect, it } from 'vitest';
import {
  Cu48Decoder,
  encodeCu48Reply,
  encodeCu48Status,
  encodeCu48Unlock,
  hooksFromData,
  hooksToData,
} from '../../../drivers/locks/cu48-codec.js';
import { cu48LineDecoder } from '../../../drivers/locks/cu48.js';
import { bitSet, lockedFromBits } from '../../../drivers/locks/cu16-state.js';

describe('CU48 codec: exact bytes', () => {
  it('status of board 0 is 02 00 00 60 03 65; of board 1, 02 01 00 60 03 66', () => {
    expect(encodeCu48Status(0).toString('hex')).toBe('020000600365');
    expect(encodeCu48Status(1).toString('hex')).toBe('020100600366');
  });

  it('unlock carries the lock number 1-48 as LOCK-1 in a byte of its own, and refuses 0 and 49', () => {
    expect(encodeCu48Unlock(0, 1).toString('hex')).toBe('020000610366');
    // 02+03+2F+61+03 = 0x98
    expect(encodeCu48Unlock(3, 48).toString('hex')).toBe('02032f610398');
    expect(() => encodeCu48Unlock(0, 0)).toThrow(RangeError);
    expect(() => encodeCu48Unlock(0, 49)).toThrow(RangeError);
  });

  it('an unlock acknowledgement is 02 ADDR LOCK 75 00 SUM', () => {
    expect(encodeCu48Reply(1, 1, Buffer.alloc(0)).toString('hex')).toBe('020100750078');
    expect(new Cu48Decoder().push(encodeCu48Reply(1, 1, Buffer.alloc(0)))).toEqual([{ type: 'reply', reply: { board: 1, lock: 1, data: Buffer.alloc(0) } }]);
  });

  it('a status reply carries 48 hook bits in 6 bytes, lock 1 in bit 0 of the first', () => {
    const hooks = 2 ** 47 + 2 ** 32 + 2 ** 31 + 1; // locks 48, 33, 32 and 1 latched
    const data = hooksToData(hooks);
    expect(data.toString('hex')).toBe('010000800180');
    const b = encodeCu48Reply(2, 1, data);
    // 02+02+00+75+06+01+00+00+80+01+80 = 0x181
    expect(b.toString('hex')).toBe('0202007506' + '010000800180' + '81');
    const [ev] = new Cu48Decoder().push(b);
    expect(ev).toEqual({ type: 'reply', reply: { board: 2, lock: 1, data } });
    expect(hooksFromData(data)).toBe(hooks);
    const latched = Array.from({ length: 48 }, (_, i) => i + 1).filter((l) => lockedFromBits(hooks, l - 1));
    expect(latched).toEqual([1, 32, 33, 48]);
    expect(bitSet(hooks, 40)).toBe(false);
  });

  it('the bus sees a status, an acknowledgement, and a too-short reply as noise; our own request echoed is dropped', () => {
    const d = cu48LineDecoder();
    const evs = d.push(Buffer.concat([
      encodeCu48Status(0),
      encodeCu48Reply(0, 1, hooksToData(2 ** 40)),
      encodeCu48Reply(0, 5, Buffer.alloc(0)),
      encodeCu48Reply(0, 1, Buffer.from([1, 2])),
    ]));
    expect(evs).toEqual([
      { type: 'frame', frame: { kind: 'status', reply: { board: 0, lock: 1, hooks: 2 ** 40, sensors: 0 } } },
      { type: 'frame', frame: { kind: 'ack', board: 0 } },
      { type: 'garbage', bytes: Buffer.from([1, 2]) },
    ]);
  });

  it('a bad SUM is reported and the frame after it still decodes; a stray STX does not hold the next reply back', () => {
    const bad = encodeCu48Reply(1, 1, hooksToData(7));
    bad[bad.length - 1] ^= 0x01;
    const good = encodeCu48Reply(1, 1, hooksToData(5));
    expect(new Cu48Decoder().push(Buffer.concat([bad, good])).map((e) => e.type)).toEqual(['checksum', 'reply']);
    // 02 .. .. 75 0C looks like the start of a 18-byte reply: the whole good reply after it is still taken at once.
    const evs = new Cu48Decoder().push(Buffer.concat([Buffer.from([0x02, 0x00, 0x00, 0x75, 0x0c]), good]));
    expect(evs.filter((e) => e.type === 'reply')).toHaveLength(1);
  });
});
