import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceError } from '../../../src/core/errors.js';
import type { Bill } from '../../../drivers/cash/contract.js';
import { Id003CashAcceptor } from '../../../drivers/cash/id003.js';
import { CMD, encodeFrame } from '../../../drivers/cash/id003-codec.js';
import { JPY_DENOMINATIONS } from '../../../drivers/cash/id003-options.js';
import { Id003ValidatorSim } from '../../../drivers/cash/id003-sim.js';
import { createPipePair, type PipePair } from '../../../drivers/serial/pipe.js';
import { FakeClock } from '../../support/fake-clock.js';
import { run, settle } from '../../support/fake-time.js';

interface Rig {
  clock: FakeClock;
  pair: PipePair;
  sim: Id003ValidatorSim;
  cash: Id003CashAcceptor;
  events: string[];
  errors: DeviceError[];
}

const rigs: Rig[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.cash.close();
});

async function rig(pollIntervalMs = 50): Promise<Rig> {
  const clock = new FakeClock();
  const pair = createPipePair();
  await pair.device.open();
  const sim = new Id003ValidatorSim(pair.device, { moveMs: 20, replyDelayMs: 2 }, clock);
  const cash = new Id003CashAcceptor(pair.kiosk, { currency: 'JPY', denominations: JPY_DENOMINATIONS, pollIntervalMs, replyTimeoutMs: 100 }, clock);
  const events: string[] = [];
  const errors: DeviceError[] = [];
  cash.on('stacked', (b) => events.push(`stacked ${b.amount}`));
  cash.on('returned', (b, why) => events.push(`returned ${b.amount} ${why}`));
  cash.on('disconnect', () => events.push('disconnect'));
  cash.on('reconnect', () => events.push('reconnect'));
  cash.on('error', (e) => errors.push(e as DeviceError));
  const r = { clock, pair, sim, cash, events, errors };
  rigs.push(r);
  await settle(clock, cash.open());
  return r;
}

async function feed(r: Rig, code: number): Promise<void> {
  await settle(r.clock, r.cash.enable());
  await run(r.clock, 120);
  expect(r.sim.insert(code)).toBe(true);
}

describe('Id003CashAcceptor (fake time, in-process pipe)', () => {
  it('asks the handler once per escrow, however many polls see the bill while it decides', async () => {
    const r = await rig();
    const asked: Bill[] = [];
    r.cash.setEscrowHandler((bill) => {
      asked.push(bill);
      return new Promise((resolve) => r.clock.setTimeout(() => resolve('stack'), 500)); // a slow disk
    });
    await feed(r, 0x64);
    await run(r.clock, 1000);
    expect(asked).toHaveLength(1);
    expect(r.events).toEqual(['stacked 10000']);
    expect(r.sim.stacked).toEqual([0x64]);
    expect(r.sim.commands.filter((c) => c === CMD.stack1)).toHaveLength(1);
  });

  it('after a STACK is acknowledged it looks again within 50 ms, not a whole 200 ms poll later', async () => {
    const r = await rig(200);
    r.cash.setEscrowHandler(() => 'stack');
    await feed(r, 0x61);
    // Fake time in 1 ms steps until the validator has the bill in its stacker, then until the kiosk says so.
    let t = 0;
    while (r.sim.stacked.length === 0 && t < 2000) {
      await run(r.clock, 1);
      t++;
    }
    expect(r.sim.stacked).toEqual([0x61]);
    let after = 0;
    while (r.events.length === 0 && after < 400) {
      await run(r.clock, 1);
      after++;
    }
    expect(r.events).toEqual(['stacked 1000']);
    expect(after).toBeLessThanOrEqual(60);
  });

  it('a STACK lost on the line is sent again on the next escrow poll; the bill is stacked and reported once', async () => {
    const r = await rig();
    const write = r.pair.kiosk.write.bind(r.pair.kiosk);
    let stacks = 0;
    r.pair.kiosk.write = async (data: Buffer) => {
      if (data.equals(encodeFrame(CMD.stack1)) && ++stacks === 1) return; // the first one never arrives
      return write(data);
    };
    r.cash.setEscrowHandler(() => 'stack');
    await feed(r, 0x61);
    await run(r.clock, 1000);
    expect(stacks).toBe(2);
    expect(r.sim.commands.filter((c) => c === CMD.stack1)).toHaveLength(1);
    expect(r.events).toEqual(['stacked 1000']);
    expect(r.sim.stacked).toEqual([0x61]);
  });

  it('a validator that stops answering is reported once, after five missed polls', async () => {
    const r = await rig();
    r.sim.fault = 'silent';
    await run(r.clock, 2000);
    expect(r.errors.filter((e) => e.code === 'timeout')).toHaveLength(1);
    expect(r.errors[0].message).toMatch(/stopped answering/);
  });

  it('unplugged: disconnect, enable rejects disconnected; replugged: reconnect, inhibited again, works', async () => {
    const r = await rig();
    r.pair.unplug('cable pulled');
    await run(r.clock, 10);
    expect(r.events).toEqual(['disconnect']);
    await expect(r.cash.enable()).rejects.toMatchObject({ code: 'disconnected' });
    const before = r.sim.commands.length;
    r.pair.replug();
    await run(r.clock, 200);
    expect(r.events).toEqual(['disconnect', 'reconnect']);
    expect(r.sim.commands.slice(before)).toContain(CMD.setInhibit);
    r.cash.setEscrowHandler(() => 'stack');
    await feed(r, 0x63);
    await run(r.clock, 500);
    expect(r.events).toEqual(['disconnect', 'reconnect', 'stacked 5000']);
  });
});
