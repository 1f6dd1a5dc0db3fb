/**
 * CU12 lock boards over a real pty pair: the real SerialPortTransport and the
 * Cu12LockBank driver on the kiosk end, simulated boards sharing the device
 * end (several boards on one RS-485 pair, polled with the bus-wide status
 * request). With KIOSK_TEST_CU12=/dev/ttyUSB0 the contract also runs against
 * real boards (KIOSK_TEST_CU12_BOARDS=0,1, KIOSK_TEST_CU12_UNLOCK=3 to pulse
 * one lock); see docs/drivers/locks.md.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Cu12LockBank, type Cu12Options } from '../../drivers/locks/cu12.js';
import { attachCu12Sims, type Cu12BoardSim, type Cu12SimOptions } from '../../drivers/locks/cu12-sim.js';
import { itemPresent } from '../../drivers/locks/contract.js';
import { SerialPortTransport } from '../../drivers/serial/serialport-transport.js';
import { lockBankContract, type LockHarness } from './contracts/locks.js';
import { cuHarness, cuPtyRig, realBoardsContract, waitFor, type CuRig } from './cu-rig.js';

type PtyRig = CuRig<Cu12BoardSim, Cu12LockBank>;

function ptyRig(boards: number[], options: Partial<Cu12Options> = {}, sim: Omit<Cu12SimOptions, 'address'> = {}): Promise<PtyRig> {
  return cuPtyRig(
    (device) => attachCu12Sims(device, boards, { replyDelayMs: 3, relockMs: 300, ...sim }),
    // A loaded CI machine can hold a pty reply back past the default 150 ms.
    (kiosk) => new Cu12LockBank(kiosk, { boards, unlockConfirmMs: 400, commandTimeoutMs: 300, ...options }),
  );
}

function harness(rig: PtyRig): LockHarness {
  return cuHarness(rig, 12, { put: (sim, lock) => sim.putItem(lock), take: (sim, lock) => sim.takeItem(lock) });
}

lockBankContract('CU12 board sim over a socat pty', async () => harness(await ptyRig([0])), { items: true });
lockBankContract('three CU12 board sims sharing one pty, polled by bus-wide status', async () => harness(await ptyRig([2, 0, 5])), { items: true });

realBoardsContract('CU12', process.env.KIOSK_TEST_CU12, process.env.KIOSK_TEST_CU12_BOARDS, process.env.KIOSK_TEST_CU12_UNLOCK, (t, boards) => new Cu12LockBank(t, { boards }));

describe('CU12 over a socat pty', () => {
  let rig: PtyRig | null = null;
  afterEach(async () => {
    await rig?.dispose();
    rig = null;
  });

  it('polls every board with one bus-wide request per round, and each channel reaches its own board and lock', async () => {
    rig = await ptyRig([0, 1, 3]);
    await rig.bank.open();
    await rig.bank.unlock(1);
    await rig.bank.unlock(12 + 5);
    await rig.bank.unlock(36);
    expect(rig.sims.map((s) => s.pulses.map((p) => p.lock))).toEqual([[1], [5], [12]]);
    rig.sims[2].putItem(12);
    await waitFor('item 36 in', () => rig!.events.includes('item 36 in'));
    // After open, no request is addressed to one board except the unlocks: polling is bus-wide.
    const sim = rig.sims[1];
    const bus = sim.requests.filter((r) => r.board === 15 && r.cmd === 0x32).length;
    expect(bus).toBeGreaterThan(0);
    expect(sim.requests.filter((r) => r.board === 1).map((r) => r.cmd)).toEqual([0x30, 0x31]); // open's read, the unlock
  });

  it('items read per compartment: states() and item events agree with what is inside', async () => {
    rig = await ptyRig([0, 1]);
    rig.sims[0].putItem(3); // there before anyone looked: state, not an event
    await rig.bank.open();
    const before = await rig.bank.states();
    expect(before).toHaveLength(24);
    expect(before.filter((s) => itemPresent(s)).map((s) => s.channel)).toEqual([3]);
    rig.sims[1].putItem(1);
    rig.sims[0].takeItem(3);
    await waitFor('both changes', () => rig!.events.length === 2);
    expect([...rig.events].sort()).toEqual(['item 13 in', 'item 3 out']);
    expect(itemPresent(await rig.bank.state(13))).toBe(true);
    expect(itemPresent(await rig.bank.state(3))).toBe(false);
  });

  it('firmware version: read where the board supports the query, null where it does not', async () => {
    rig = await ptyRig([0], {}, { firmware: { software: 0x12, hardware: 0x03 } });
    const old = attachCu12Sims(rig.device, [4], { replyDelayMs: 3 });
    rig.sims.push(...old);
    await rig.bank.close();
    rig.bank = new Cu12LockBank(new SerialPortTransport({ path: rig.pty.kioskPath, baudRate: 19200 }), { boards: [0, 4] });
    rig.bank.on('error', () => undefined);
    await rig.bank.open();
    expect(await rig.bank.firmwareVersion(0)).toBe('software 0x12, hardware 0x03');
    expect(await rig.bank.firmwareVersion(4)).toBeNull();
    expect(old[0].versionQueries).toBe(1);
    await expect(rig.bank.firmwareVersion(7)).rejects.toMatchObject({ code: 'not-found' });
  });

  it('a board that stops answering is reported once, the others keep reporting, and it comes back', async () => {
    // The timeout is the healthy board's too: long enough for a loaded machine's pty, so only the silent board misses.
    rig = await ptyRig([0, 1], { commandTimeoutMs: 300, offlinePollMs: 300 });
    await rig.bank.open();
    rig.sims[1].fault = 'silent';
    await waitFor('board 1 offline', () => rig!.events.includes('board 1 offline'), 5000);
    rig.sims[0].putItem(2);
    await waitFor('item 2 in', () => rig!.events.includes('item 2 in'));
    expect((await rig.bank.states())[12]).toEqual({ channel: 13, locked: null, doorOpen: null, itemPresent: null });
    expect(rig.events.filter((e) => e.startsWith('board'))).toEqual(['board 1 offline']);
    rig.sims[1].fault = 'none';
    await waitFor('board 1 online', () => rig!.events.includes('board 1 online'));
  });
});
