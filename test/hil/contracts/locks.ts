/**
 * The LockBank contract (drivers/locks/contract.ts) as tests every lock bank
 * must pass: the CU16 boards over a pty, GPIO relays, the in-process sim, and
 * real hardware.
 *
 * Usage:
 *   lockBankContract('cu16 over pty', async () => ({ bank, openDoor, closeDoor, pulses, jam, dispose }));
 *
 * The harness (LockHarness, below) hands over a bank that is NOT opened yet
 * (the suite opens and closes it) plus hooks that act as the hardware side.
 * For real hardware pass `{ hardware: true }`: only the tests that need no
 * hooks are registered (the hooks may then be left out). Tests run in real
 * time, so a harness must use the system clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceError } from '../../../src/core/errors.js';
import { itemPresent, type Channel, type LockBank } from '../../../drivers/locks/contract.js';

export interface LockHarness {
  /** The bank under test, not opened yet. */
  bank: LockBank;
  /** A person opens the door of `channel` (the sensor sees it). */
  openDoor?: (channel: Channel) => void | Promise<void>;
  /** A person shuts the door of `channel`. */
  closeDoor?: (channel: Channel) => void | Promise<void>;
  /** How many unlock pulses the hardware fired on `channel` so far. */
  pulses?: (channel: Channel) => number;
  /** From now on unlocks of `channel` do not release the lock (jammed lock, board that never confirms). */
  jam?: (channel: Channel) => void | Promise<void>;
  /** Something is put into `channel` (its item sensor sees it). Only for banks with item sensors. */
  putItem?: (channel: Channel) => void | Promise<void>;
  /** `channel` is emptied. */
  takeItem?: (channel: Channel) => void | Promise<void>;
  /** The channels that have an item sensor ([] or absent: none; every other channel must read itemPresent null). */
  itemSensors?: readonly Channel[];
  /** Frees what the harness made (sims, ptys) after the suite closed the bank. */
  dispose(): Promise<void>;
}

export interface LockContractOptions {
  /** Real hardware: register only the tests that need no hardware hooks. */
  hardware?: boolean;
  /** How long to wait for an event (ms). Default 1000; the 100 ms p99 latency is measured by bench/door-latency.ts. */
  eventTimeoutMs?: number;
  /** The bank has item sensors and the harness the putItem/takeItem hooks: register the item tests. */
  items?: boolean;
  /** With hardware: the channel the unlock test may pulse. Without it no unlock test is registered. */
  unlockChannel?: Channel;
}

type DoorEvent = { channel: Channel; open: boolean };

function watchDoors(bank: LockBank): DoorEvent[] {
  const seen: DoorEvent[] = [];
  bank.on('door', (channel, open) => seen.push({ channel, open }));
  return seen;
}

async function waitFor(what: string, cond: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function hook<T>(h: T | undefined, name: string): T {
  if (h === undefined) throw new Error(`the harness has no ${name} hook; pass { hardware: true } for real hardware`);
  return h;
}

export function lockBankContract(name: string, make: () => Promise<LockHarness>, options: LockContractOptions = {}): void {
  const eventMs = options.eventTimeoutMs ?? 1000;
  const hardware = options.hardware ?? false;

  describe(`LockBank contract: ${name}`, () => {
    let h: LockHarness | null = null;

    async function start(): Promise<LockHarness> {
      h = await make();
      h.bank.on('error', () => undefined); // faults are asserted where they matter
      await h.bank.open();
      return h;
    }

    afterEach(async () => {
      if (!h) return;
      await h.bank.close();
      await h.dispose();
      h = null;
    });

    it('lists its channels and reads every one, never reporting a door open that is not', async () => {
      const { bank } = await start();
      expect(bank.channels.length).toBeGreaterThan(0);
      const states = await bank.states();
      expect(states.map((s) => s.channel)).toEqual([...bank.channels]);
      for (const s of states) {
        expect([true, false, null]).toContain(s.locked);
        expect([true, false, null]).toContain(s.doorOpen);
        expect([true, false, null]).toContain(itemPresent(s));
        if (!hardware) expect(s.doorOpen).not.toBe(true);
      }
      const one = await bank.state(bank.channels[0]);
      expect(one.channel).toBe(bank.channels[0]);
    });

    it('rejects a channel that is not on the bank with a DeviceError', async () => {
      const { bank } = await start();
      const missing = Math.max(...bank.channels) + 1;
      await expect(bank.unlock(missing)).rejects.toBeInstanceOf(DeviceError);
      await expect(bank.state(missing)).rejects.toBeInstanceOf(DeviceError);
    });

    it('lockAll resolves', async () => {
      const { bank } = await start();
      await bank.lockAll();
    });

    it('after close, calls reject with closed', async () => {
      const { bank } = await start();
      await bank.close();
      const err = await bank.unlock(bank.channels[0]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DeviceError);
      expect((err as DeviceError).code).toBe('closed');
    });

    if (hardware && options.unlockChannel !== undefined) {
      const ch = options.unlockChannel;
      it(`unlock of channel ${ch} is confirmed`, async () => {
        const { bank } = await start();
        await bank.unlock(ch);
      });
    }

    if (hardware) return;

    it('unlock pulses exactly that channel and resolves once confirmed', async () => {
      const harness = await start();
      const { bank } = harness;
      const pulses = hook(harness.pulses, 'pulses');
      const ch = bank.channels[1] ?? bank.channels[0];
      const other = bank.channels.find((c) => c !== ch);
      const before = pulses(ch);
      await bank.unlock(ch);
      expect(pulses(ch)).toBe(before + 1);
      if (other !== undefined) expect(pulses(other)).toBe(0);
      const s = await bank.state(ch);
      expect(s.locked === false || s.doorOpen === true).toBe(true);
    });

    it('a door opened and shut reaches the door event once each, and state() agrees', async () => {
      const harness = await start();
      const { bank } = harness;
      const doors = watchDoors(bank);
      const ch = bank.channels.at(-1)!;
      await bank.unlock(ch);
      await hook(harness.openDoor, 'openDoor')(ch);
      await waitFor(`door ${ch} open`, () => doors.some((d) => d.channel === ch && d.open), eventMs);
      expect((await bank.state(ch)).doorOpen).toBe(true);
      await hook(harness.closeDoor, 'closeDoor')(ch);
      await waitFor(`door ${ch} closed`, () => doors.some((d) => d.channel === ch && !d.open), eventMs);
      await sleep(150);
      expect(doors).toEqual([{ channel: ch, open: true }, { channel: ch, open: false }]);
      expect((await bank.state(ch)).doorOpen).toBe(false);
    });

    it('a lock that does not release: unlock rejects unconfirmed and no door-open event is ever emitted', async () => {
      const harness = await start();
      const { bank } = harness;
      const doors = watchDoors(bank);
      const ch = bank.channels[0];
      await hook(harness.jam, 'jam')(ch);
      const err = await bank.unlock(ch).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DeviceError);
      expect((err as DeviceError).code).toBe('unconfirmed');
      expect((err as DeviceError).message).toMatch(new RegExp(`channel ${ch}\\b`));
      await sleep(150);
      expect(doors.filter((d) => d.open)).toEqual([]);
      const s = await bank.state(ch);
      expect(s.doorOpen).not.toBe(true);
    });

    it('channels without an item sensor read itemPresent null; sensed ones read true or false', async () => {
      const harness = await start();
      const sensed = new Set(harness.itemSensors ?? []);
      for (const s of await harness.bank.states()) {
        if (sensed.has(s.channel)) expect(typeof itemPresent(s)).toBe('boolean');
        else expect(itemPresent(s)).toBeNull();
      }
    });

    if (options.items) registerItemTests();

    function registerItemTests(): void {
      it('an item put in and taken out reaches the item event once each, and state() agrees', async () => {
        const harness = await start();
        const ch = hook(harness.itemSensors?.at(-1), 'itemSensors');
        const { bank } = harness;
        const items: Array<{ channel: Channel; present: boolean }> = [];
        bank.on('item', (channel, present) => items.push({ channel, present }));
        expect(itemPresent(await bank.state(ch))).toBe(false);
        await hook(harness.putItem, 'putItem')(ch);
        await waitFor(`item in ${ch}`, () => items.length === 1, eventMs);
        expect(itemPresent(await bank.state(ch))).toBe(true);
        await hook(harness.takeItem, 'takeItem')(ch);
        await waitFor(`item out of ${ch}`, () => items.length === 2, eventMs);
        await sleep(150);
        expect(items).toEqual([{ channel: ch, present: true }, { channel: ch, present: false }]);
        expect(itemPresent(await bank.state(ch))).toBe(false);
      });

      it('an item put in and the door shut together: the item change comes before the door change', async () => {
        const harness = await start();
        const ch = hook(harness.itemSensors?.[0], 'itemSensors');
        const { bank } = harness;
        const seen: string[] = [];
        bank.on('item', (c, present) => seen.push(`item ${c} ${present}`));
        bank.on('door', (c, open) => seen.push(`door ${c} ${open ? 'open' : 'closed'}`));
        await bank.unlock(ch);
        await hook(harness.openDoor, 'openDoor')(ch);
        await waitFor(`door ${ch} open`, () => seen.includes(`door ${ch} open`), eventMs);
        await hook(harness.putItem, 'putItem')(ch);
        await hook(harness.closeDoor, 'closeDoor')(ch);
        await waitFor(`door ${ch} closed`, () => seen.includes(`door ${ch} closed`), eventMs);
        expect(seen).toEqual([`door ${ch} open`, `item ${ch} true`, `door ${ch} closed`]);
      });
    }

    it('emits no events after close', async () => {
      const harness = await start();
      const { bank } = harness;
      const seen: string[] = [];
      bank.on('door', () => seen.push('door'));
      bank.on('lock', () => seen.push('lock'));
      bank.on('item', () => seen.push('item'));
      await bank.close();
      await hook(harness.openDoor, 'openDoor')(bank.channels[0]);
      const sensed = harness.itemSensors?.[0];
      if (sensed !== undefined) await hook(harness.putItem, 'putItem')(sensed);
      await sleep(150);
      expect(seen).toEqual([]);
    });
  });
}
