import { afterEach, describe, expect, it } from 'vitest';
import { DeviceError } from '../../../src/core/errors.js';
import { Cu16LockBank, type Cu16Options } from '../../../drivers/locks/cu16.js';
import { CU16_CMD, Cu16Decoder } from '../../../drivers/locks/cu16-codec.js';
import { attachCu16Sims, type Cu16BoardSim } from '../../../drivers/locks/cu16-sim.js';
import { createPipePair, type PipePair } from '../../../drivers/serial/pipe.js';
import { FakeClock } from '../../support/fake-clock.js';
import { run, settle } from '../../support/fake-time.js';

interface Rig {
  clock: FakeClock;
  pair: PipePair;
  bank: Cu16LockBank;
  sims: Cu16BoardSim[];
  events: string[];
  errors: DeviceError[];
}

let rigs: Rig[] = [];
afterEach(async () => {
  for (const r of rigs) await r.bank.close();
  rigs = [];
});

async function rig(opts: Partial<Cu16Options> = {}, simAddresses = opts.boards ?? [0], open = true): Promise<Rig> {
  const clock = new FakeClock();
  const pair = createPipePair();
  await pair.device.open();
  const sims = attachCu16Sims(pair.device, simAddresses, { replyDelayMs: 5, relockMs: 500 }, clock);
  const bank = new Cu16LockBank(pair.kiosk, { boards: [0], ...opts }, clock);
  const events: string[] = [];
  const errors: DeviceError[] = [];
  bank.on('door', (c, o) => events.push(`door ${c} ${o ? 'open' : 'closed'}`));
  bank.on('lock', (c, l) => events.push(`lock ${c} ${l ? 'locked' : 'released'}`));
  bank.on('board', (a, on) => events.push(`board ${a} ${on ? 'online' : 'offline'}`));
  bank.on('disconnect', () => events.push('disconnect'));
  bank.on('reconnect', () => events.push('reconnect'));
  bank.on('error', (e) => errors.push(e as DeviceError));
  const r = { clock, pair, bank, sims, events, errors };
  rigs.push(r);
  if (open) await settle(clock, bank.open());
  return r;
}

describe('CU16 driver (pipe + fake clock)', () => {
  it('opens, reads every board, and emits nothing for the initial state', async () => {
    const { bank, sims, events, clock } = await rig({ boards: [0, 1] }, [0, 1], false);
    sims[1].openDoor(2); // already open before anyone looked: not an event
    await settle(clock, bank.open());
    await run(clock, 100);
    const states = await settle(clock, bank.states());
    expect(states).toHaveLength(32);
    expect(states[17]).toEqual({ channel: 18, locked: true, doorOpen: true, itemPresent: null });
    expect(states[0]).toEqual({ channel: 1, locked: true, doorOpen: false, itemPresent: null });
    expect(events).toEqual([]);
    expect(bank.channels).toEqual(Array.from({ length: 32 }, (_, i) => i + 1));
  });

  it('unlock: pulses the right lock, resolves on the status reply, then reports the relock', async () => {
    const { bank, sims, events, clock } = await rig({ boards: [0, 1] });
    await settle(clock, bank.unlock(19));
    expect(sims[1].pulses.map((p) => p.lock)).toEqual([3]);
    expect(sims[0].pulses).toEqual([]);
    await run(clock, 100);
    expect(events).toEqual(['lock 19 released']);
    await run(clock, 600);
    expect(events).toEqual(['lock 19 released', 'lock 19 locked']);
  });

  it('reports a door change within 100 ms of the board seeing it, once per change', async () => {
    const { sims, events, clock } = await rig();
    await run(clock, 17); // somewhere inside a poll cycle
    const t0 = clock.now();
    sims[0].openDoor(5);
    let at = -1;
    for (let i = 0; i < 200 && at < 0; i++) {
      await run(clock, 1);
      if (events.includes('door 5 open')) at = clock.now();
    }
    expect(at - t0).toBeGreaterThan(0);
    expect(at - t0).toBeLessThanOrEqual(100);
    await run(clock, 300);
    expect(events.filter((e) => e.startsWith('door'))).toEqual(['door 5 open']);
    sims[0].closeDoor(5);
    await run(clock, 100);
    expect(events.filter((e) => e.startsWith('door'))).toEqual(['door 5 open', 'door 5 closed']);
  });

  it('a board that never confirms: rejects unconfirmed with the reason, and never reports its door open', async () => {
    const { bank, sims, events, clock } = await rig();
    sims[0].fault = 'never-confirm';
    const err = await settle(clock, bank.unlock(3)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeviceError);
    expect((err as DeviceError).code).toBe('unconfirmed');
    expect((err as DeviceError).message).toContain('compartment channel 3: board 0 did not confirm the unlock within 1.5 s');
    expect(sims[0].pulses).toHaveLength(1);
    await run(clock, 200);
    expect(events).toEqual([]);
  });

  it('unlocks jump the queue: the unlock goes out right after the frame already on the wire', async () => {
    const { bank, sims, clock } = await rig();
    await run(clock, 45);
    sims[0].requests.length = 0;
    const reads = [bank.state(1), bank.state(2), bank.state(4)];
    const unlock = bank.unlock(3);
    await settle(clock, Promise.all([...reads, unlock]));
    const order = sims[0].requests.slice(0, 4).map((r) => `${r.cmd === CU16_CMD.unlock ? 'unlock' : 'status'} ${r.lock}`);
    expect(order).toEqual(['status 1', 'unlock 3', 'status 2', 'status 4']);
  });

  it('keeps one request on the wire at a time', async () => {
    const { bank, pair, clock } = await rig({ boards: [0, 1] });
    const dec = new Cu16Decoder();
    const replies = new Cu16Decoder();
    let outstanding = 0;
    let worst = 0;
    pair.device.on('data', (c) => {
      for (const e of dec.push(c)) if (e.type === 'request') worst = Math.max(worst, ++outstanding);
    });
    pair.kiosk.on('data', (c) => {
      for (const e of replies.push(c)) if (e.type === 'reply') outstanding--;
    });
    await settle(clock, Promise.all([bank.unlock(1), bank.unlock(20), bank.states(), bank.state(7)]));
    await run(clock, 200);
    expect(worst).toBe(1);
  });

  it('a silent board: one offline report (not one per poll), unknown state, recovery when it answers', async () => {
    const { bank, sims, events, errors, clock } = await rig({ boards: [0, 1] });
    sims[1].fault = 'silent';
    await run(clock, 1000);
    expect(events).toEqual(['board 1 offline']);
    expect(errors).toHaveLength(1);
    expect(errors[0].code).toBe('timeout');
    expect(errors[0].message).toMatch(/board 1 stopped answering.*channels 17-32 are unknown/);
    const states = await settle(clock, bank.states());
    expect(states[16]).toEqual({ channel: 17, locked: null, doorOpen: null, itemPresent: null });
    expect(states[0].locked).toBe(true);
    await expect(settle(clock, bank.unlock(17))).rejects.toMatchObject({ code: 'timeout' });
    sims[1].fault = 'none';
    // This silent board still fired the pulse it never answered (a dead reply line):
    // the release and the door opened meanwhile are reported once it answers again.
    expect(sims[1].pulses).toHaveLength(1);
    sims[1].openDoor(1);
    await run(clock, 200);
    expect(events).toEqual(['board 1 offline', 'board 1 online', 'lock 17 released', 'door 17 open']);
  });

  it('a silent board does not hold up the others: their door changes still arrive within 100 ms', async () => {
    const { sims, events, clock } = await rig({ boards: [0, 1] });
    sims[1].fault = 'silent';
    await run(clock, 1000);
    expect(events).toEqual(['board 1 offline']);
    let worst = 0;
    for (let i = 0; i < 12; i++) {
      await run(clock, 7 + ((i * 13) % 40)); // land at different phases of the poll cycle
      const want = i % 2 === 0;
      const t0 = clock.now();
      if (want) sims[0].openDoor(9);
      else sims[0].closeDoor(9);
      const label = `door 9 ${want ? 'open' : 'closed'}`;
      const before = events.filter((e) => e === label).length;
      while (events.filter((e) => e === label).length === before && clock.now() - t0 < 1000) await run(clock, 1);
      worst = Math.max(worst, clock.now() - t0);
    }
    expect(worst).toBeLessThanOrEqual(100);
  });

  it('bad checksums: never taken as state, reported (rate-limited), reads reject checksum', async () => {
    const { bank, sims, events, errors, clock } = await rig({ noiseReportMs: 5000 });
    sims[0].fault = 'bad-checksum';
    sims[0].openDoor(1);
    await run(clock, 1000);
    expect(events).toEqual(['board 0 offline']);
    expect(errors.filter((e) => e.code === 'checksum')).toHaveLength(1);
    await expect(settle(clock, bank.state(1))).rejects.toMatchObject({ code: 'checksum' });
    sims[0].fault = 'none';
    await run(clock, 100);
    expect(events).toEqual(['board 0 offline', 'board 0 online', 'door 1 open']);
  });

  it('garbage on the line: still works, reports the noise', async () => {
    const { bank, sims, errors, clock } = await rig();
    sims[0].fault = 'garbage';
    await settle(clock, bank.unlock(2));
    expect(await settle(clock, bank.state(2))).toEqual({ channel: 2, locked: false, doorOpen: false, itemPresent: null });
    expect(errors.some((e) => e.code === 'protocol' && /stray byte/.test(e.message))).toBe(true);
  });

  it('unplug mid-command rejects disconnected and emits disconnect; replug emits reconnect and works again', async () => {
    const { bank, pair, sims, events, clock } = await rig();
    sims[0].fault = 'never-confirm';
    const pending = bank.unlock(4);
    await run(clock, 20);
    pair.unplug('cable pulled');
    await expect(settle(clock, pending)).rejects.toMatchObject({ code: 'disconnected' });
    expect(events).toContain('disconnect');
    await expect(bank.unlock(4)).rejects.toMatchObject({ code: 'disconnected' });
    sims[0].fault = 'none';
    pair.replug();
    await run(clock, 50);
    expect(events).toContain('reconnect');
    await settle(clock, bank.unlock(4));
  });

  it('close rejects pending calls with closed and emits nothing afterwards', async () => {
    const { bank, sims, events, clock } = await rig();
    sims[0].fault = 'never-confirm';
    const pending = bank.unlock(1);
    await run(clock, 10);
    await bank.close();
    await expect(pending).rejects.toMatchObject({ code: 'closed' });
    sims[0].openDoor(1);
    await run(clock, 200);
    expect(events).toEqual([]);
    await expect(bank.unlock(1)).rejects.toMatchObject({ code: 'closed' });
  });

  it('rejects a channel that is not on the bank', async () => {
    const { bank } = await rig();
    await expect(bank.unlock(17)).rejects.toMatchObject({ code: 'not-found' });
    await expect(bank.state(0)).rejects.toMatchObject({ code: 'not-found' });
  });

  it('open rejects not-found when no board answers', async () => {
    const { bank, clock } = await rig({ boards: [4] }, [0], false);
    const err = await settle(clock, bank.open()).catch((e: unknown) => e);
    expect((err as DeviceError).code).toBe('not-found');
    expect((err as DeviceError).message).toMatch(/no CU16 board answered at address 4/);
  });

  it('sensor polarity: open-low inverts, none reports null and confirms by the lock alone', async () => {
    const low = await rig({ doorSensor: 'open-low' });
    // The sim still reports open-high, so with open-low a closed door reads as open.
    expect(await settle(low.clock, low.bank.state(1))).toEqual({ channel: 1, locked: true, doorOpen: true, itemPresent: null });
    const none = await rig({ doorSensor: 'none' });
    expect(await settle(none.clock, none.bank.state(1))).toEqual({ channel: 1, locked: true, doorOpen: null, itemPresent: null });
    none.sims[0].openDoor(1);
    await run(none.clock, 100);
    expect(none.events).toEqual([]);
    await settle(none.clock, none.bank.unlock(2));
  });

  it('lockAll reads every lock and resolves (CU16 locks relatch by themselves)', async () => {
    const { bank, sims, clock } = await rig();
    await settle(clock, bank.unlock(1));
    sims[0].requests.length = 0;
    await settle(clock, bank.lockAll());
    expect(sims[0].requests.some((r) => r.cmd === CU16_CMD.boardStatus)).toBe(true);
    expect(sims[0].pulses).toHaveLength(1);
  });

  it('lockAll with the states just read (as the kiosk starts) reads nothing again', async () => {
    const { bank, sims, clock } = await rig();
    const states = await settle(clock, bank.states());
    sims[0].requests.length = 0;
    await settle(clock, bank.lockAll(states));
    expect(sims[0].requests).toEqual([]);
  });
});
