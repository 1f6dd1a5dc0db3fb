import { describe, expect, it } from 'vitest';
import { DeviceError } from '../../../src/core/errors.js';
import { TransportHold } from '../../../drivers/serial/hold.js';
import { createPipePair } from '../../../drivers/serial/pipe.js';
import { RequestLine, type LineDecoder, type LineEvent } from '../../../drivers/serial/request-line.js';
import { FakeClock } from '../../support/fake-clock.js';
import { flush } from '../../support/fake-time.js';

/** One byte a frame: 0xEE is a bad checksum, 0xFF garbage, anything else a frame. */
function byteDecoder(): LineDecoder<number> & { resets: number } {
  const d = {
    resets: 0,
    push(chunk: Buffer): Array<LineEvent<number>> {
      return [...chunk].map((b) => (b === 0xee ? { type: 'checksum' as const, bytes: Buffer.from([b]) } : b === 0xff ? { type: 'garbage' as const, bytes: Buffer.from([b]) } : { type: 'frame' as const, frame: b }));
    },
    reset() {
      d.resets++;
    },
  };
  return d;
}

async function setup(resetOnTimeout?: boolean) {
  const clock = new FakeClock();
  const pair = createPipePair();
  await pair.device.open();
  await pair.kiosk.open();
  const sent: number[] = [];
  pair.device.on('data', (c: Buffer) => sent.push(...c));
  const decoder = byteDecoder();
  const heard: number[] = [];
  const line = new RequestLine(pair.kiosk, decoder, clock, { heard: (f) => heard.push(f) }, resetOnTimeout === undefined ? {} : { resetOnTimeout });
  pair.kiosk.on('data', (c: Buffer) => line.receive(c));
  return { clock, pair, line, sent, heard, decoder };
}

describe('RequestLine', () => {
  it('one request on the wire at a time, the rest in priority order (first come first within a priority)', async () => {
    const { pair, line, sent } = await setup();
    const done: string[] = [];
    const ask = (b: number, priority: number) => line.send({ bytes: Buffer.from([b]), timeoutMs: 100, label: `r${b}`, priority, take: (f) => f === b + 100 }).then(() => done.push(`r${b}`));
    const all = [ask(1, 2), ask(2, 2), ask(3, 0), ask(4, 1)];
    await flush();
    expect(sent).toEqual([1]); // the first went out at once; the others wait for its reply
    for (const b of [1, 3, 4, 2]) {
      await pair.device.write(Buffer.from([b + 100]));
      await flush();
    }
    await Promise.all(all);
    expect(sent).toEqual([1, 3, 4, 2]);
    expect(done).toEqual(['r1', 'r3', 'r4', 'r2']);
  });

  it('a request several answer: completes with what was heard at its timeout, outlives a bad checksum, and keeps partial frames', async () => {
    const { clock, pair, line, decoder } = await setup(false);
    const got: number[] = [];
    const p = line.send({ bytes: Buffer.from([9]), timeoutMs: 50, label: 'all', outlivesChecksum: true, timedOut: () => null, take: (f) => (got.push(f), got.length === 3) });
    await flush();
    await pair.device.write(Buffer.from([1, 0xee, 2]));
    await flush();
    clock.advance(50);
    await p;
    expect(got).toEqual([1, 2]);
    expect(decoder.resets).toBe(0);
  });

  it('a plain request fails at once on a bad checksum, and times out with the partial frame dropped', async () => {
    const { clock, pair, line, decoder } = await setup();
    const bad = line.request(Buffer.from([1]), (f) => f === 5, 50, 'one');
    await flush();
    await pair.device.write(Buffer.from([0xee]));
    await expect(bad).rejects.toMatchObject({ code: 'checksum' });
    const late = line.request(Buffer.from([2]), (f) => f === 5, 50, 'two');
    await flush();
    clock.advance(50);
    await expect(late).rejects.toMatchObject({ code: 'timeout' });
    expect(decoder.resets).toBe(1);
  });

  it('hasQueued finds a request by its tag on the wire or waiting; failAll rejects them all', async () => {
    const { line, heard, pair } = await setup();
    const a = line.send({ bytes: Buffer.from([1]), timeoutMs: 100, label: 'a', tag: 'board 1', take: () => true });
    const b = line.send({ bytes: Buffer.from([2]), timeoutMs: 100, label: 'b', tag: 'board 2', take: () => true });
    await flush();
    expect(line.hasQueued((t) => t === 'board 1')).toBe(true);
    expect(line.hasQueued((t) => t === 'board 2')).toBe(true);
    expect(line.hasQueued((t) => t === 'board 3')).toBe(false);
    line.failAll(new DeviceError('closed', 'closed'));
    await expect(a).rejects.toMatchObject({ code: 'closed' });
    await expect(b).rejects.toMatchObject({ code: 'closed' });
    await pair.device.write(Buffer.from([7]));
    await flush();
    expect(heard).toEqual([7]); // every frame is heard, even with nothing waiting
  });
});

describe('TransportHold', () => {
  it('lost and back once per loss, never after close; notReady says why', async () => {
    const pair = createPipePair();
    await pair.device.open();
    const seen: string[] = [];
    const hold = new TransportHold(pair.kiosk, { data: () => undefined, lost: () => seen.push('lost'), back: () => seen.push('back'), fault: () => undefined });
    expect(hold.notReady('x')).toMatchObject({ code: 'closed' });
    expect(await hold.open('x')).toBe(true);
    expect(await hold.open('x')).toBe(false);
    pair.unplug();
    await flush();
    expect(hold.phase).toBe('down');
    expect(hold.notReady('x')).toMatchObject({ code: 'disconnected' });
    pair.replug();
    await flush();
    expect(hold.phase).toBe('open');
    expect(hold.close()).toBe('open');
    pair.unplug();
    pair.replug();
    await flush();
    expect(seen).toEqual(['lost', 'back']);
    await expect(hold.open('x')).rejects.toMatchObject({ code: 'closed' });
  });

  it('a close while the transport is opening: the open rejects closed and the transport is closed again', async () => {
    const pair = createPipePair();
    const hold = new TransportHold(pair.kiosk, { data: () => undefined, lost: () => undefined, back: () => undefined, fault: () => undefined });
    const opening = hold.open('x');
    expect(hold.close()).toBe('idle');
    await expect(opening).rejects.toMatchObject({ code: 'closed' });
    expect(pair.kiosk.isOpen).toBe(false);
  });
});
