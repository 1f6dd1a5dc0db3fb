import { afterEach, describe, expect, it } from 'vitest';
import { ModbusLockBank, type ModbusLocksOptions } from '../../../drivers/locks/modbus.js';
import { COIL_OFF, COIL_ON, FN, WAVESHARE_FLASH_OFF } from '../../../drivers/modbus/codec.js';
import { ModbusRelaySim } from '../../../drivers/modbus/sim.js';
import { createPipePair } from '../../../drivers/serial/pipe.js';
import { FakeClock } from '../../support/fake-clock.js';
import { run, settle } from '../../support/fake-time.js';

// close() ends a pulse still running (one write, answered in fake time).
const banks: Array<{ bank: ModbusLockBank; clock: FakeClock }> = [];
afterEach(async () => {
  for (const { bank, clock } of banks.splice(0)) await settle(clock, bank.close());
});

async function rig(o: Partial<ModbusLocksOptions> = {}): Promise<{ clock: FakeClock; sim: ModbusRelaySim; bank: ModbusLockBank }> {
  const clock = new FakeClock();
  const pair = createPipePair();
  await pair.device.open();
  const sim = new ModbusRelaySim(pair.device, { unit: 2, replyDelayMs: 2 }, clock);
  const bank = new ModbusLockBank(pair.kiosk, { unitId: 2, pulseMs: 300, unlockConfirmMs: 500, ...o }, clock);
  bank.on('error', () => undefined);
  banks.push({ bank, clock });
  await settle(clock, bank.open());
  return { clock, sim, bank };
}

describe('ModbusLockBank (fake time, in-process pipe)', () => {
  it('generic board: coil on, confirmed by reading it back, off again after pulseMs', async () => {
    const { clock, sim, bank } = await rig({ board: 'generic' });
    await settle(clock, bank.unlock(3));
    expect(sim.coil(2)).toBe(true);
    expect((await settle(clock, bank.state(3))).locked).toBe(false);
    await run(clock, 320);
    expect(sim.coil(2)).toBe(false);
    const writes = sim.requests.filter((q) => q.fn === FN.writeCoil).map((q) => [q.address, q.value]);
    expect(writes).toEqual([[2, COIL_ON], [2, COIL_OFF]]);
  });

  it('a stuck relay: unlock rejects unconfirmed after unlockConfirmMs, naming channel, unit and coil', async () => {
    const { clock, sim, bank } = await rig();
    sim.fault = 'stuck';
    const err = await settle(clock, bank.unlock(1).catch((e: unknown) => e));
    expect(err).toMatchObject({ code: 'unconfirmed', message: expect.stringMatching(/compartment channel 1: unit 2 did not energise coil 0 within 500 ms/) });
  });

  it('a door opened at the board reaches the door event within two polls', async () => {
    const { clock, sim, bank } = await rig({ pollIntervalMs: 50 });
    const doors: string[] = [];
    bank.on('door', (c, o) => doors.push(`${c} ${o}`));
    sim.openDoor(15);
    await run(clock, 110);
    expect(doors).toEqual(['16 true']);
  });

  it('lockAll switches every coil off', async () => {
    const { clock, sim, bank } = await rig({ board: 'generic', pulseMs: 5000 });
    await settle(clock, bank.unlock(4));
    expect(sim.coil(3)).toBe(true);
    await settle(clock, bank.lockAll());
    expect(sim.coil(3)).toBe(false);
  });

  it('generic board, fail-safe channel: energised at open, off for pulseMs to release, on again after', async () => {
    const { clock, sim, bank } = await rig({ board: 'generic', map: { 1: { coil: 0, input: 0, failSafe: true }, 2: { coil: 1, input: 1 } } });
    expect(sim.coil(0)).toBe(true);
    expect(sim.coil(1)).toBe(false);
    expect((await settle(clock, bank.state(1))).locked).toBeNull();
    await settle(clock, bank.unlock(1));
    expect(sim.coil(0)).toBe(false);
    expect((await settle(clock, bank.state(1))).locked).toBe(false);
    await run(clock, 320);
    expect(sim.coil(0)).toBe(true);
    const writes = sim.requests.filter((q) => q.fn === FN.writeCoil).map((q) => [q.address, q.value]);
    expect(writes).toEqual([[0, COIL_ON], [0, COIL_OFF], [0, COIL_ON]]);
  });

  it('a fail-safe release still ends when the bank closes mid-pulse: the lock is energised again', async () => {
    const { clock, sim, bank } = await rig({ board: 'generic', failSafe: true, pulseMs: 5000 });
    await settle(clock, bank.unlock(2));
    expect(sim.coil(1)).toBe(false);
    await settle(clock, bank.close());
    await run(clock, 10);
    expect(sim.coil(1)).toBe(true);
  });

  it('lockAll energises fail-safe locks and switches fail-secure ones off', async () => {
    const { clock, sim, bank } = await rig({ board: 'generic', pulseMs: 5000, map: { 1: { coil: 0, input: 0, failSafe: true }, 2: { coil: 1, input: 1 } } });
    await settle(clock, bank.unlock(1));
    await settle(clock, bank.unlock(2));
    expect([sim.coil(0), sim.coil(1)]).toEqual([false, true]);
    await settle(clock, bank.lockAll());
    expect([sim.coil(0), sim.coil(1)]).toEqual([true, false]);
  });

  it('Waveshare, fail-safe: a flash-off write releases; the relay is energised again after the pulse', async () => {
    const { clock, sim, bank } = await rig({ failSafe: true, channels: 2 });
    await settle(clock, bank.unlock(2));
    expect(sim.coil(1)).toBe(false);
    await run(clock, 520);
    expect(sim.coil(1)).toBe(true);
    const writes = sim.requests.filter((q) => q.fn === FN.writeCoil).map((q) => [q.address, q.value]);
    expect(writes).toEqual([[0, COIL_ON], [1, COIL_ON], [WAVESHARE_FLASH_OFF | 1, 3], [1, COIL_ON]]);
  });
});
