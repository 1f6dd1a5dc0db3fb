/**
 * CU48 lock boards over a real pty pair: the real SerialPortTransport and the
 * Cu48LockBank driver on the kiosk end, simulated CU48 boards sharing the
 * device end. With KIOSK_TEST_CU48=/dev/ttyUSB0 (KIOSK_TEST_CU48_BOARDS=0,1,
 * KIOSK_TEST_CU48_UNLOCK=3 to let it pulse one lock) the contract also runs
 * against real boards; see docs/drivers/locks.md ("CU48").
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceError } from '../../src/core/errors.js';
import { Cu48LockBank, type Cu48Options } from '../../drivers/locks/cu48.js';
import { encodeCu48Reply, hooksToData } from '../../drivers/locks/cu48-codec.js';
import { attachCu48Sims, type Cu48BoardSim } from '../../drivers/locks/cu48-sim.js';
import { lockBankContract } from './contracts/locks.js';
import { cuHarness, cuPtyRig, realBoardsContract, waitFor, type CuRig } from './cu-rig.js';

type PtyRig = CuRig<Cu48BoardSim, Cu48LockBank>;

function ptyRig(boards: number[] = [0], options: Partial<Cu48Options> = {}, relockMs = 300): Promise<PtyRig> {
  return cuPtyRig(
    (device) => attachCu48Sims(device, boards, { replyDelayMs: 3, relockMs }),
    // A loaded machine can hold a pty reply back past the default 200 ms.
    (kiosk) => new Cu48LockBank(kiosk, { boards, unlockConfirmMs: 600, commandTimeoutMs: 300, ...options }),
  );
}

lockBankContract('CU48 board sim over a socat pty', async () => cuHarness(await ptyRig([0]), 48));
lockBankContract('two CU48 board sims sharing one pty', async () => cuHarness(await ptyRig([2, 0]), 48));

realBoardsContract('CU48', process.env.KIOSK_TEST_CU48, process.env.KIOSK_TEST_CU48_BOARDS, process.env.KIOSK_TEST_CU48_UNLOCK, (t, boards) => new Cu48LockBank(t, { boards }));

describe('CU48 over a socat pty', () => {
  let rig: PtyRig | null = null;
  afterEach(async () => {
    await rig?.dispose();
    rig = null;
  });

  it('96 channels on two boards: each reaches its own board and lock, the high locks (33-48) too', async () => {
    rig = await ptyRig([0, 1]);
    await rig.bank.open();
    expect(rig.bank.channels).toHaveLength(96);
    for (const ch of [1, 33, 48, 49, 96]) await rig.bank.unlock(ch);
    expect(rig.sims.map((s) => s.pulses.map((p) => p.lock))).toEqual([[1, 33, 48], [1, 48]]);
    // The unlock goes out as 02 ADDR LOCK-1 61 03 SUM and is answered by a bare acknowledgement.
    expect(rig.sims[1].requests.filter((r) => r.cmd === 0x31).map((r) => r.lock)).toEqual([1, 48]);
    // The door is read from the hook: a door opens once its lock has let go.
    await rig.bank.unlock(95);
    rig.sims[1].openDoor(47);
    await waitFor('door 95 open', () => rig!.events.includes('door 95 open'));
    expect((await rig.bank.state(95)).doorOpen).toBe(true);
    expect((await rig.bank.state(94)).doorOpen).toBe(false);
    rig.sims[1].closeDoor(47);
    await waitFor('door 95 closed', () => rig!.events.includes('door 95 closed'));
    expect(rig.events.filter((e) => e.startsWith('door 95'))).toEqual(['door 95 open', 'door 95 closed']);
  });

  it('a reply with a bad checksum or noise is never believed: no door event from it, the error is reported', async () => {
    rig = await ptyRig([0]);
    await rig.bank.open();
    const forged = encodeCu48Reply(0, 1, hooksToData(0)); // every lock released: every door "open"
    forged[forged.length - 1] ^= 0x55;
    await rig.sims[0].inject(Buffer.concat([Buffer.from([0xff, 0x02, 0x00]), forged]));
    await waitFor('the checksum error', () => rig!.errors.some((e) => e.code === 'checksum'));
    await new Promise((r) => setTimeout(r, 150));
    expect(rig.events).toEqual([]);
    expect((await rig.bank.states()).filter((s) => s.doorOpen !== false)).toEqual([]);
  });

  it('unplug: a pending unlock rejects disconnected whether or not the board had answered it; replug: works again', async () => {
    // Locks stay released long enough for a loaded machine's polls to see the unlock after the replug.
    rig = await ptyRig([0], { unlockConfirmMs: 5000, commandTimeoutMs: 5000 }, 3000);
    await rig.bank.open();
    const sim = rig.sims[0];
    sim.fault = 'never-confirm';
    const pending = rig.bank.unlock(40).catch((e: unknown) => e);
    await waitFor('the pulse', () => sim.pulses.length === 1);
    await rig.pty.stop();
    expect(await pending).toMatchObject({ code: 'disconnected' });
    expect((await pending) instanceof DeviceError).toBe(true);
    await expect(rig.bank.state(40)).rejects.toMatchObject({ code: 'disconnected' });
    sim.fault = 'none';
    const deviceBack = new Promise<void>((r) => rig!.device.once('open', () => r()));
    await rig.pty.restart();
    await deviceBack;
    await waitFor('reconnect', () => rig!.events.includes('reconnect'));
    // A frame sent while the pty was reopening may be lost, and the bus then waits out its command
    // timeout: a status read answered after the replug shows the line carries frames again before
    // the unlock's confirmation is timed.
    expect((await rig.bank.state(40)).locked).toBe(true);
    await rig.bank.unlock(40);
    expect(sim.pulses.map((p) => p.lock)).toEqual([40, 40]);
  });

  it('a board that stops answering is reported once, its 48 channels read null, and it comes back', async () => {
    // The timeout is the healthy board's too: long enough for a loaded machine's pty, so only the silent board misses.
    rig = await ptyRig([0, 1], { commandTimeoutMs: 300, offlinePollMs: 300 });
    await rig.bank.open();
    rig.sims[1].fault = 'silent';
    await waitFor('board 1 offline', () => rig!.events.includes('board 1 offline'), 5000);
    const states = await rig.bank.states();
    expect(states.slice(48).every((s) => s.locked === null && s.doorOpen === null)).toBe(true);
    expect(states.slice(0, 48).every((s) => s.locked === true)).toBe(true);
    await rig.bank.unlock(48); // board 0 keeps working meanwhile
    rig.sims[0].openDoor(48);
    await waitFor('door 48 open', () => rig!.events.includes('door 48 open'));
    expect(rig.events.filter((e) => e.startsWith('board'))).toEqual(['board 1 offline']);
    rig.sims[1].fault = 'none';
    await waitFor('board 1 online', () => rig!.events.includes('board 1 online'));
  });
});
