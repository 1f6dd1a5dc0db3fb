import { afterEach, describe, expect, it } from 'vitest';
import { DeviceError } from '../../../src/core/errors.js';
import { SimGpioChip } from '../../../drivers/gpio/sim.js';
import { GpioLockBank, type GpioLockConfig } from '../../../drivers/locks/gpio.js';
import { GpioLockSim, type GpioLockSimOptions } from '../../../drivers/locks/gpio-sim.js';
import { FakeClock } from '../../support/fake-clock.js';

const CONFIG: GpioLockConfig = {
  relays: [
    { channel: 1, relayGpio: 5, doorGpio: 6 },
    { channel: 2, relayGpio: 13, doorGpio: 19, relayActiveLow: true, doorOpenValue: 0 },
  ],
  pulseMs: 500,
  confirmMs: 2000,
  debounceMs: 30,
  pollMs: 250,
};

let banks: GpioLockBank[] = [];
afterEach(async () => {
  for (const b of banks) await b.close();
  banks = [];
});

async function setup(config: GpioLockConfig = CONFIG, simOpts: GpioLockSimOptions = {}) {
  const clock = new FakeClock();
  const chip = new SimGpioChip(clock);
  const sim = new GpioLockSim(chip, config, clock, simOpts);
  const bank = new GpioLockBank(chip, config, { clock });
  banks.push(bank);
  const doors: [number, boolean][] = [];
  const errors: Error[] = [];
  bank.on('door', (ch, open) => doors.push([ch, open]));
  bank.on('error', (e) => errors.push(e));
  await bank.open();
  return { clock, chip, sim, bank, doors, errors };
}

async function rejection(p: Promise<unknown>): Promise<DeviceError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DeviceError);
    return e as DeviceError;
  }
  throw new Error('expected a rejection');
}

describe('GpioLockBank: relays', () => {
  it('drives every relay off at open (active-high to 0, active-low to 1) before anything else', async () => {
    const { chip } = await setup();
    expect(chip.writes.filter((w) => w.line === 5).map((w) => w.value)).toEqual([0, 0]);
    expect(chip.writes.filter((w) => w.line === 13).map((w) => w.value)).toEqual([1, 1]);
  });

  it('pulses for exactly pulseMs and confirms when the door opens', async () => {
    const { clock, sim, bank, doors } = await setup();
    const p = bank.unlock(1);
    expect(sim.energised(1)).toBe(true);
    clock.advance(120); // spring pops the door
    clock.advance(30); // debounce
    await expect(p).resolves.toBeUndefined();
    expect(doors).toEqual([[1, true]]);
    expect(sim.energised(1)).toBe(true); // the pulse is timed, not cut short
    clock.advance(350);
    expect(sim.energised(1)).toBe(false);
    expect(sim.pulses).toEqual([{ channel: 1, start: sim.pulses[0].start, end: sim.pulses[0].start + 500 }]);
  });

  it('drives an active-low relay with 0 and reads an active-low door', async () => {
    const { clock, chip, sim, bank, doors } = await setup();
    const p = bank.unlock(2);
    expect(chip.level(13)).toBe(0);
    clock.advance(200);
    await p;
    expect(doors).toEqual([[2, true]]);
    clock.advance(300);
    expect(chip.level(13)).toBe(1);
    expect(sim.pulseCount(2)).toBe(1);
  });

  it('refuses a pulse longer than 5000 ms, naming the field', () => {
    const chip = new SimGpioChip(new FakeClock());
    expect(() => new GpioLockBank(chip, { ...CONFIG, pulseMs: 6000 })).toThrow(/locks\.gpio\.pulseMs: must be a whole number from 10 to 5000, not 6000/);
    expect(() => new GpioLockBank(chip, { ...CONFIG, relays: [...CONFIG.relays, { channel: 3, relayGpio: 6, doorGpio: 7 }] }))
      .toThrow(/relays\[2\]\.relayGpio: GPIO 6 is also used by relays\[0\]\.doorGpio/);
  });

  it('switches the relay off at once when switching it on throws after the pin changed', async () => {
    const { clock, chip, sim, bank } = await setup();
    chip.failNext(5, 'write', new Error('EIO: i/o error'), true);
    const err = await rejection(bank.unlock(1));
    expect(err.code).toBe('device-error');
    expect(err.message).toMatch(/relay GPIO 5 could not be switched on \(EIO/);
    expect(sim.energised(1)).toBe(false);
    const t = clock.now();
    expect(sim.pulses).toEqual([{ channel: 1, start: t, end: t }]);
    clock.advance(1000); // the pulse timer was cleared: no stray write later
    expect(chip.writes.filter((w) => w.line === 5 && w.at > t)).toEqual([]);
  });

  it('ends the pulse on time even when a door listener throws inside it', async () => {
    const { clock, sim, bank } = await setup();
    bank.on('door', () => {
      throw new Error('listener bug');
    });
    const p = bank.unlock(1);
    clock.advance(200);
    await p;
    clock.advance(300);
    expect(sim.energised(1)).toBe(false);
    expect(sim.pulses[0].end! - sim.pulses[0].start).toBe(500);
  });

  it('rejects unconfirmed when the door does not open, and still ends the pulse at pulseMs', async () => {
    const { clock, sim, bank } = await setup();
    sim.jam(1);
    const p = bank.unlock(1);
    const settled = rejection(p);
    clock.advance(500);
    expect(sim.energised(1)).toBe(false);
    clock.advance(1499);
    clock.advance(1);
    const err = await settled;
    expect(err.code).toBe('unconfirmed');
    expect(err.message).toMatch(/channel 1: door did not open within 2000 ms after unlock/);
  });

  it('pulses but does not confirm when the door was already open', async () => {
    const { clock, sim, bank } = await setup(CONFIG, { springOpenMs: null });
    sim.openDoor(1, { force: true });
    clock.advance(40);
    const settled = rejection(bank.unlock(1));
    expect(sim.energised(1)).toBe(true);
    clock.advance(2000);
    expect((await settled).message).toMatch(/already open when the relay was pulsed/);
    expect(sim.pulseCount(1)).toBe(1);
  });

  it('confirms a door that was open, shut during the window, then opened', async () => {
    const { clock, sim, bank } = await setup(CONFIG, { springOpenMs: null });
    sim.openDoor(1, { force: true });
    clock.advance(40);
    const p = bank.unlock(1);
    sim.closeDoor(1);
    clock.advance(100);
    sim.openDoor(1);
    clock.advance(40);
    await expect(p).resolves.toBeUndefined();
  });

  it('rejects a second unlock of a busy channel and an unknown channel', async () => {
    const { clock, bank } = await setup();
    const p = bank.unlock(1);
    expect((await rejection(bank.unlock(1))).code).toBe('busy');
    expect((await rejection(bank.unlock(9))).message).toMatch(/channel 9 is not configured \(configured: 1, 2\)/);
    clock.advance(200);
    await p;
  });

  it('close mid-pulse: relay off, pending unlock rejected closed, no events after', async () => {
    const { clock, sim, bank, doors } = await setup(CONFIG, { springOpenMs: null });
    const settled = rejection(bank.unlock(1));
    clock.advance(100);
    await bank.close();
    expect(sim.energised(1)).toBe(false);
    expect((await settled).code).toBe('closed');
    sim.openDoor(1, { force: true });
    clock.advance(1000);
    expect(doors).toEqual([]);
    await bank.close(); // twice is fine
  });

  it('lockAll ends a running pulse', async () => {
    const { clock, sim, bank } = await setup(CONFIG, { springOpenMs: null });
    const settled = rejection(bank.unlock(1));
    clock.advance(100);
    await bank.lockAll();
    expect(sim.energised(1)).toBe(false);
    expect(sim.pulses[0].end! - sim.pulses[0].start).toBe(100);
    clock.advance(2000);
    expect((await settled).code).toBe('unconfirmed');
  });
});

describe('GpioLockBank: door inputs', () => {
  it('debounces a bouncing reed switch into one event per change', async () => {
    const { clock, sim, doors } = await setup(CONFIG, { bounceMs: 20 });
    sim.openDoor(1, { force: true });
    clock.advance(100);
    sim.closeDoor(1);
    clock.advance(100);
    expect(doors).toEqual([[1, true], [1, false]]);
  });

  it('emits nothing for a glitch that returns to the same level', async () => {
    const { clock, chip, doors } = await setup();
    chip.setInput(6, 1);
    clock.advance(5);
    chip.setInput(6, 0);
    clock.advance(100);
    expect(doors).toEqual([]);
  });

  it('reports the door within debounceMs of the last edge', async () => {
    const { clock, chip, doors } = await setup();
    chip.setInput(6, 1);
    clock.advance(29);
    expect(doors).toEqual([]);
    clock.advance(1);
    expect(doors).toEqual([[1, true]]);
  });

  it('finds a change whose edge was missed by polling', async () => {
    const { clock, chip, doors } = await setup();
    chip.muteEdges(6);
    chip.setInput(6, 1);
    clock.advance(250 + 30);
    expect(doors).toEqual([[1, true]]);
  });

  it('state(): locked is null (a relay cannot tell); an unreadable door is null, reported once', async () => {
    const { chip, sim, bank, errors } = await setup();
    expect(await bank.state(1)).toEqual({ channel: 1, locked: null, doorOpen: false, itemPresent: null });
    sim.openDoor(2, { force: true });
    expect(await bank.state(2)).toEqual({ channel: 2, locked: null, doorOpen: true, itemPresent: null });
    chip.failNext(6, 'read');
    expect(await bank.states()).toEqual([
      { channel: 1, locked: null, doorOpen: null, itemPresent: null },
      { channel: 2, locked: null, doorOpen: true, itemPresent: null },
    ]);
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/door input GPIO 6 could not be read \(EIO/)]);
  });

  it('open() fails cleanly when a line is taken, releasing what it exported', async () => {
    const clock = new FakeClock();
    const chip = new SimGpioChip(clock);
    await chip.input(19, 'none'); // someone else holds channel 2's door line
    const bank = new GpioLockBank(chip, CONFIG, { clock });
    const err = await rejection(bank.open());
    expect(err.code).toBe('busy');
    expect(chip.direction(5)).toBeNull();
    expect(chip.direction(6)).toBeNull();
    expect(chip.level(5)).toBe(0);
  });
});
