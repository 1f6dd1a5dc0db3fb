import { afterEach, describe, expect, it } from 'vitest';
import { DeviceError } from '../../../src/core/errors.js';
import { R30xPad, type R30xPadOptions } from '../../../drivers/fingerprint/r30x.js';
import { encodeDataPackets, R30xDecoder, type R30xPacket } from '../../../drivers/fingerprint/r30x-codec.js';
import { R30xSim, type R30xSimOptions } from '../../../drivers/fingerprint/r30x-sim.js';
import { createPipePair, type PipePair } from '../../../drivers/serial/pipe.js';
import { FakeClock } from '../../support/fake-clock.js';

/** A template: 512 bytes from a seed. */
function template(seed: number): Buffer {
  return Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 31 + seed * 7) & 0xff));
}

/** Lets every queued microtask and I/O callback run (pipe delivery is on microtasks). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface Rig {
  clock: FakeClock;
  pair: PipePair;
  sim: R30xSim;
  pad: R30xPad;
  /** Packets the kiosk put on the wire, as the module side saw them. */
  sent: R30xPacket[];
  events: string[];
  errors: Error[];
}

const rigs: Rig[] = [];

async function rig(padOpts: R30xPadOptions = {}, simOpts: R30xSimOptions = {}, open = true): Promise<Rig> {
  const clock = new FakeClock();
  const pair = createPipePair();
  const sim = new R30xSim(pair.device, { clock, ...simOpts });
  const pad = new R30xPad(pair.kiosk, { clock, pollMs: 50, commandTimeoutMs: 500, reconnectMs: 1000, ...padOpts });
  const sent: R30xPacket[] = [];
  const tap = new R30xDecoder();
  pair.device.on('data', (c) => {
    for (const e of tap.push(c)) if (e.type === 'packet') sent.push(e.packet);
  });
  const events: string[] = [];
  const errors: Error[] = [];
  pad.on('disconnect', () => events.push('disconnect'));
  pad.on('reconnect', () => events.push('reconnect'));
  pad.on('finger', (on) => events.push(on ? 'finger:on' : 'finger:off'));
  pad.on('error', (e) => errors.push(e));
  await sim.open();
  const r = { clock, pair, sim, pad, sent, events, errors };
  rigs.push(r);
  if (open) await pad.open();
  return r;
}

afterEach(async () => {
  for (const r of rigs.splice(0)) {
    await r.pad.close();
    await r.sim.close();
  }
});

/** Moves fake time in steps until `p` settles (or `maxMs` passes), then returns its outcome. */
async function drive<T>(clock: FakeClock, p: Promise<T>, stepMs = 10, maxMs = 30_000): Promise<T> {
  let done = false;
  const watched = p.finally(() => {
    done = true;
  });
  watched.catch(() => undefined);
  await settle();
  for (let t = 0; !done && t < maxMs; t += stepMs) {
    clock.advance(stepMs);
    await settle();
  }
  return watched;
}

async function rejection(p: Promise<unknown>, clock?: FakeClock): Promise<DeviceError> {
  try {
    await (clock ? drive(clock, p) : p);
  } catch (e) {
    if (e instanceof DeviceError) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

const names = (sim: R30xSim): string[] => sim.commands.map((c) => c.instruction);

describe('R30xPad open', () => {
  it('verifies the password, then reads the system parameters', async () => {
    const r = await rig({}, { packetSize: 64 });
    expect(names(r.sim)).toEqual(['VfyPwd', 'ReadSysPara']);
    expect(r.pad.name).toBe('fingerprint:r30x pipe:kiosk');
  });

  it('uses a fixed packet size without asking the module', async () => {
    const r = await rig({ packetSize: 32 }, { packetSize: 32 });
    expect(names(r.sim)).toEqual(['VfyPwd']);
  });

  it('rejects a wrong password in words, with what to do', async () => {
    const r = await rig({ password: 1 }, { password: 0x0badcafe }, false);
    const err = await rejection(r.pad.open());
    expect(err.code).toBe('device-error');
    expect(err.message).toMatch(/^fingerprint pad: wrong password \(0x13\) on VfyPwd; set the pad password/);
  });

  it('opens a module with a non-default address and password', async () => {
    const r = await rig({ address: 0x01020304, password: 0x0badcafe }, { address: 0x01020304, password: 0x0badcafe });
    r.sim.placeFinger(template(1));
    expect(await r.pad.verify(template(1))).toEqual({ match: true, score: 200 });
  });

  it('times out when no module answers (here: one at another address)', async () => {
    const r = await rig({}, { address: 0x11111111 }, false);
    const err = await rejection(r.pad.open(), r.clock);
    expect(err.code).toBe('timeout');
    expect(err.message).toContain('no answer to VfyPwd within 500 ms');
  });
});

describe('R30xPad verify and capture', () => {
  it('matches the same finger: GenImg, Img2Tz(1), DownChar(2) in packets of the module size, Match', async () => {
    const r = await rig({}, { packetSize: 64 });
    r.sim.placeFinger(template(1));
    expect(await r.pad.verify(template(1))).toEqual({ match: true, score: 200 });
    expect(names(r.sim).slice(2)).toEqual(['GenImg', 'Img2Tz', 'DownChar', 'Match']);
    const data = r.sent.filter((p) => p.kind === 'data' || p.kind === 'end');
    expect(data.map((p) => p.payload.length)).toEqual(Array<number>(8).fill(64));
    expect(r.sim.charBuffer(2)).toEqual(template(1));
    expect(r.sim.charBuffer(1)).toEqual(template(1));
    expect(r.events).toEqual(['finger:on']);
  });

  it('reports no match with score 0 for another finger', async () => {
    const r = await rig();
    r.sim.placeFinger(template(2));
    expect(await r.pad.verify(template(1))).toEqual({ match: false, score: 0 });
  });

  it('polls until a finger comes, and says when it did', async () => {
    const r = await rig();
    const p = r.pad.verify(template(3), 5000);
    await drive(r.clock, new Promise<void>((resolve) => r.clock.setTimeout(resolve, 300)));
    r.sim.placeFinger(template(3));
    expect(await drive(r.clock, p)).toEqual({ match: true, score: 200 });
    const polls = names(r.sim).filter((n) => n === 'GenImg').length;
    expect(polls).toBeGreaterThanOrEqual(6);
    expect(r.events).toEqual(['finger:on']);
  });

  it('rejects `timeout` when no finger comes, after polling all along', async () => {
    const r = await rig();
    const start = r.clock.now();
    const err = await rejection(r.pad.verify(template(1), 1000), r.clock);
    expect(err.code).toBe('timeout');
    expect(err.message).toBe('fingerprint pad: no finger on the pad within 1000 ms');
    expect(r.clock.now() - start).toBeGreaterThanOrEqual(1000);
    expect(r.clock.now() - start).toBeLessThan(1100);
    expect(names(r.sim).filter((n) => n === 'GenImg').length).toBe(21);
  });

  it('tells a lifted finger when polling sees it gone', async () => {
    const r = await rig();
    r.sim.placeFinger(template(1));
    await r.pad.capture();
    r.sim.liftFinger();
    await rejection(r.pad.capture(100), r.clock);
    expect(r.events).toEqual(['finger:on', 'finger:off']);
  });

  it('keeps polling through "image fail" (a finger too light)', async () => {
    const r = await rig();
    r.sim.placeFinger(template(4));
    r.sim.failNext('GenImg', 0x03, 2);
    expect(await drive(r.clock, r.pad.verify(template(4)))).toEqual({ match: true, score: 200 });
  });

  it('captures a 512-byte template through UpChar, reassembled from 32-byte packets', async () => {
    const r = await rig({}, { packetSize: 32 });
    r.sim.placeFinger(template(5));
    expect(await r.pad.capture()).toEqual(template(5));
    expect(names(r.sim).slice(2)).toEqual(['GenImg', 'Img2Tz', 'UpChar']);
  });

  it('rejects a reference that is not a 512-byte character file without touching the wire', async () => {
    const r = await rig();
    const err = await rejection(r.pad.verify(Buffer.alloc(100)));
    expect(err.code).toBe('protocol');
    expect(err.message).toContain('100 bytes; an r30x-char file is 512');
    expect(names(r.sim)).toEqual(['VfyPwd', 'ReadSysPara']);
  });

  it('rejects a second call while one runs with `busy`', async () => {
    const r = await rig();
    const first = r.pad.verify(template(1), 1000);
    const err = await rejection(r.pad.capture());
    expect(err.code).toBe('busy');
    await rejection(first, r.clock);
  });

  it('rejects calls before open', async () => {
    const r = await rig({}, {}, false);
    expect((await rejection(r.pad.capture())).code).toBe('closed');
  });
});

describe('R30xPad faults', () => {
  it('turns a confirmation code into a typed error in words', async () => {
    const r = await rig();
    r.sim.placeFinger(template(1));
    r.sim.failNext('Img2Tz', 0x06);
    const err = await rejection(r.pad.verify(template(1)));
    expect(err.code).toBe('device-error');
    expect(err.message).toBe(
      'fingerprint pad: image messy (0x06) on Img2Tz; ask the person to place the finger again, flat and still',
    );
    r.sim.failNext('UpChar', 0x0d);
    expect((await rejection(r.pad.capture())).message).toContain('upload fail (0x0D) on UpChar');
    r.sim.failNext('Match', 0x18);
    expect((await rejection(r.pad.verify(template(1)))).message).toBe('fingerprint pad: flash error (0x18) on Match');
  });

  it('repeats a command once when its reply has a bad checksum', async () => {
    const r = await rig();
    r.sim.placeFinger(template(1));
    r.sim.corruptNext(1);
    expect(await r.pad.verify(template(1))).toEqual({ match: true, score: 200 });
    expect(names(r.sim).slice(2)).toEqual(['GenImg', 'GenImg', 'Img2Tz', 'DownChar', 'Match']);
  });

  it('rejects `checksum` when the repeat is damaged too', async () => {
    const r = await rig();
    r.sim.placeFinger(template(1));
    r.sim.corruptNext(2);
    const err = await rejection(r.pad.verify(template(1)));
    expect(err.code).toBe('checksum');
    expect(err.message).toContain('bad checksum');
  });

  it('rejects `checksum` for a damaged data packet of an upload (no repeat mid-transfer)', async () => {
    const r = await rig({}, { packetSize: 128 });
    r.sim.placeFinger(template(1));
    // Packets out: GenImg ack, Img2Tz ack, UpChar ack, then 4 data packets; damage the first of those.
    r.sim.corruptNext(1, 3);
    const err = await rejection(r.pad.capture());
    expect(err.code).toBe('checksum');
    expect(names(r.sim).slice(2)).toEqual(['GenImg', 'Img2Tz', 'UpChar']);
    // The rest of that upload is dropped as stale; the next capture is whole.
    expect(await r.pad.capture()).toEqual(template(1));
  });

  it('ignores noise before a reply, and reports it as an error event', async () => {
    const r = await rig();
    r.sim.placeFinger(template(1));
    r.sim.garbleNext(Buffer.from([0x00, 0xef, 0x55, 0x01, 0xff]));
    expect(await r.pad.verify(template(1))).toEqual({ match: true, score: 200 });
    expect(r.errors.map((e) => e.message)).toContain(
      'fingerprint pad: dropped 5 byte(s) that were not a packet (noise on the line, or a wrong baud rate)',
    );
  });

  it('gets a reply through that came behind a cut-off packet, once the line goes quiet', async () => {
    const r = await rig();
    r.sim.placeFinger(template(1));
    // Half of a 128-byte data packet: its length swallows the next ack until the gap timer.
    const half = encodeDataPackets(0xffffffff, Buffer.alloc(128, 7), 128)[0].subarray(0, 30);
    r.sim.garbleNext(half);
    const p = r.pad.capture();
    await settle();
    r.clock.advance(199);
    await settle();
    let done = false;
    const mark = (): void => {
      done = true;
    };
    p.then(mark, mark);
    await settle();
    expect(done).toBe(false);
    expect(await drive(r.clock, p)).toEqual(template(1));
    expect(r.clock.now()).toBeLessThan(Date.parse('2026-11-21T09:00:00Z') + 500);
  });

  it('times out on a reply cut in half, then works again (resync)', async () => {
    const r = await rig();
    r.sim.placeFinger(template(1));
    r.sim.cutNext();
    const err = await rejection(r.pad.verify(template(1)), r.clock);
    expect(err.code).toBe('timeout');
    expect(err.message).toContain('no answer to GenImg within 500 ms');
    expect(await r.pad.verify(template(1))).toEqual({ match: true, score: 200 });
    expect(r.events).toEqual(['finger:on']);
  });

  it('counts a module that stopped answering as gone, and back when it answers again', async () => {
    const r = await rig();
    r.sim.mute();
    expect((await rejection(r.pad.capture(), r.clock)).code).toBe('timeout');
    expect(r.events).toEqual([]);
    expect((await rejection(r.pad.capture(), r.clock)).code).toBe('disconnected');
    expect(r.events).toEqual(['disconnect']);
    const now = await rejection(r.pad.capture());
    expect(now.code).toBe('disconnected');
    expect(now.message).toContain('not connected');
    // Knocks go unanswered while muted; no second disconnect.
    await drive(r.clock, new Promise<void>((resolve) => r.clock.setTimeout(resolve, 5000)));
    expect(r.events).toEqual(['disconnect']);
    r.sim.mute(false);
    await drive(r.clock, new Promise<void>((resolve) => r.pad.once('reconnect', resolve)));
    expect(r.events).toEqual(['disconnect', 'reconnect']);
    r.sim.placeFinger(template(9));
    expect(await r.pad.capture()).toEqual(template(9));
  });

  it('rejects a pending call `disconnected` when the line is lost, and reconnects when it is back', async () => {
    const r = await rig({ password: 42 }, { password: 42 });
    const pending = r.pad.verify(template(1), 5000);
    await drive(r.clock, new Promise<void>((resolve) => r.clock.setTimeout(resolve, 120)));
    r.pair.unplug('cable pulled');
    const err = await rejection(pending);
    expect(err.code).toBe('disconnected');
    expect(err.message).toBe('fingerprint pad: lost the module (cable pulled)');
    expect(r.events).toEqual(['disconnect']);
    expect((await rejection(r.pad.capture())).code).toBe('disconnected');
    r.pair.replug();
    // The module lost power with the cable: it needs the password again, and gets it.
    await drive(r.clock, new Promise<void>((resolve) => r.pad.once('reconnect', resolve)));
    expect(r.events).toEqual(['disconnect', 'reconnect']);
    expect(names(r.sim).slice(-2)).toEqual(['VfyPwd', 'ReadSysPara']);
    r.sim.placeFinger(template(1));
    expect(await r.pad.verify(template(1))).toEqual({ match: true, score: 200 });
  });

  it('keeps knocking when the module comes back slowly after a replug', async () => {
    const r = await rig();
    r.pair.unplug();
    r.sim.mute();
    r.pair.replug();
    await drive(r.clock, new Promise<void>((resolve) => r.clock.setTimeout(resolve, 3000)));
    expect(r.events).toEqual(['disconnect']);
    r.sim.mute(false);
    await drive(r.clock, new Promise<void>((resolve) => r.pad.once('reconnect', resolve)));
    expect(r.events).toEqual(['disconnect', 'reconnect']);
  });
});

describe('R30xPad close', () => {
  it('rejects a pending call `closed`, emits nothing after, and is safe twice', async () => {
    const r = await rig();
    const pending = r.pad.verify(template(1), 5000);
    await settle();
    await r.pad.close();
    const err = await rejection(pending);
    expect(err.code).toBe('closed');
    await r.pad.close();
    r.pair.unplug();
    r.clock.advance(10_000);
    await settle();
    expect(r.events).toEqual([]);
    expect(r.clock.pending()).toBe(0);
    expect((await rejection(r.pad.open())).code).toBe('closed');
    expect((await rejection(r.pad.capture())).code).toBe('closed');
  });
});
