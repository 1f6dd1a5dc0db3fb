/**
 * The FingerprintPad contract (drivers/fingerprint/contract.ts), as tests any
 * pad must pass. Run against the simulators with a scripted finger (a
 * template placed on the pad) and against a real module with a person who
 * is asked to touch the pad.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceError } from '../../../src/core/errors.js';
import type { FingerprintEvents, FingerprintPad } from '../../../drivers/fingerprint/contract.js';

export interface FingerprintRig {
  pad: FingerprintPad;
  /** A finger whose template is `template` is put on / taken off the pad (simulators). */
  finger?: { place(template: Buffer): void | Promise<void>; lift(): void | Promise<void> };
  /** The cable is pulled / plugged back (simulators). */
  line?: { unplug(): Promise<void>; replug(): Promise<void> };
  /** Tells the person at a real pad what to do (real hardware). */
  ask?: (text: string) => void;
  dispose(): Promise<void>;
}

export interface FingerprintContractOptions {
  /** `scripted`: the rig places templates; `person`: someone touches a real pad when asked. */
  fingers: 'scripted' | 'person';
  /** The rig can pull and plug the cable. */
  unplug: boolean;
  /** How long a verify/capture waits for a finger in tests that expect one. */
  fingerMs: number;
  /** How long tests that expect no finger wait. */
  noFingerMs: number;
  /** How long to wait for disconnect/reconnect events. */
  eventMs: number;
}

/** A 512-byte `r30x-char` template from a seed. */
export function fakeTemplate(seed: number): Buffer {
  return Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 131 + seed * 17 + (i >> 3) * seed) & 0xff));
}

/** Resolves with the next `event` from the pad, or rejects after `ms`. */
export function nextEvent<K extends keyof FingerprintEvents>(
  pad: FingerprintPad,
  event: K,
  ms: number,
): Promise<FingerprintEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      pad.off(event, on);
      reject(new Error(`no "${event}" event from ${pad.name} within ${ms} ms`));
    }, ms);
    const on = (...args: FingerprintEvents[K]): void => {
      clearTimeout(timer);
      pad.off(event, on);
      resolve(args);
    };
    pad.on(event, on);
  });
}

export async function deviceError(p: Promise<unknown>): Promise<DeviceError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(DeviceError);
    return err as DeviceError;
  }
  throw new Error('expected the call to reject, it resolved');
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function fingerprintContract(
  label: string,
  makeRig: () => Promise<FingerprintRig>,
  opts: FingerprintContractOptions,
): void {
  describe(`FingerprintPad contract: ${label}`, () => {
    let rig: FingerprintRig | null = null;
    const open = async (): Promise<FingerprintRig> => {
      rig = await makeRig();
      await rig.pad.open();
      return rig;
    };
    afterEach(async () => {
      await rig?.dispose();
      rig = null;
    });

    it('opens, has a name, and opening again is harmless', async () => {
      const r = await open();
      expect(r.pad.name.length).toBeGreaterThan(0);
      await r.pad.open();
    });

    it('rejects verify and capture with `timeout` when no finger comes', async () => {
      const r = await open();
      r.ask?.('keep fingers OFF the pad');
      const t0 = Date.now();
      const err = await deviceError(r.pad.verify(fakeTemplate(1), opts.noFingerMs));
      expect(err.code).toBe('timeout');
      expect(Date.now() - t0).toBeGreaterThanOrEqual(opts.noFingerMs - 5);
      expect((await deviceError(r.pad.capture(opts.noFingerMs))).code).toBe('timeout');
    });

    it('rejects a reference that is not a 512-byte character file with `protocol`', async () => {
      const r = await open();
      const err = await deviceError(r.pad.verify(Buffer.alloc(511)));
      expect(err.code).toBe('protocol');
      expect(err.message).toContain('511 bytes');
    });

    it('refuses a second call while one waits for a finger (`busy`)', async () => {
      const r = await open();
      r.ask?.('keep fingers OFF the pad');
      const first = deviceError(r.pad.capture(opts.noFingerMs));
      expect((await deviceError(r.pad.verify(fakeTemplate(1), opts.noFingerMs))).code).toBe('busy');
      expect((await first).code).toBe('timeout');
    });

    it('rejects a pending call `closed` on close, is safe to close twice, and refuses calls after', async () => {
      const r = await open();
      r.ask?.('keep fingers OFF the pad');
      const events: string[] = [];
      r.pad.on('disconnect', () => events.push('disconnect'));
      r.pad.on('reconnect', () => events.push('reconnect'));
      const pending = deviceError(r.pad.verify(fakeTemplate(1), opts.fingerMs));
      await delay(30);
      await r.pad.close();
      expect((await pending).code).toBe('closed');
      await r.pad.close();
      expect((await deviceError(r.pad.capture(opts.noFingerMs))).code).toBe('closed');
      expect(events).toEqual([]);
    });

    if (opts.fingers === 'scripted') {
      it('captures the template of the finger on the pad', async () => {
        const r = await open();
        await place(r, fakeTemplate(7));
        const t = await r.pad.capture(opts.fingerMs);
        expect(t).toEqual(fakeTemplate(7));
      });

      it('matches the same finger with a score of at least 50, and not another (score 0)', async () => {
        const r = await open();
        await place(r, fakeTemplate(3));
        const same = await r.pad.verify(fakeTemplate(3), opts.fingerMs);
        expect(same.match).toBe(true);
        expect(same.score).toBeGreaterThanOrEqual(50);
        expect(await r.pad.verify(fakeTemplate(4), opts.fingerMs)).toEqual({ match: false, score: 0 });
      });

      it('waits for a finger that comes after the call, and tells it came', async () => {
        const r = await open();
        const seen = nextEvent(r.pad, 'finger', opts.fingerMs);
        const result = r.pad.verify(fakeTemplate(5), opts.fingerMs);
        await delay(100);
        await place(r, fakeTemplate(5));
        expect(await seen).toEqual([true]);
        expect((await result).match).toBe(true);
      });

      it('captures again after the finger was lifted and another placed', async () => {
        const r = await open();
        await place(r, fakeTemplate(8));
        expect(await r.pad.capture(opts.fingerMs)).toEqual(fakeTemplate(8));
        await lift(r);
        expect((await deviceError(r.pad.capture(opts.noFingerMs))).code).toBe('timeout');
        await place(r, fakeTemplate(9));
        expect(await r.pad.capture(opts.fingerMs)).toEqual(fakeTemplate(9));
      });
    }

    if (opts.fingers === 'person') {
      it('captures a finger and matches it again, and not a foreign template', async () => {
        const r = await open();
        r.ask?.('place a finger on the pad and hold it there');
        const t = await r.pad.capture(opts.fingerMs);
        expect(t.length).toBe(512);
        r.ask?.('lift, then place the SAME finger again');
        await delay(1500);
        const again = await r.pad.verify(t, opts.fingerMs);
        expect(again.match).toBe(true);
        expect(again.score).toBeGreaterThan(0);
        expect(await r.pad.verify(fakeTemplate(1), opts.fingerMs)).toEqual({ match: false, score: 0 });
      });
    }

    if (opts.unplug && opts.fingers === 'scripted') {
      it('rejects a pending call `disconnected` when unplugged, and works again when plugged back', async () => {
        const r = await open();
        const line = r.line!;
        const gone = nextEvent(r.pad, 'disconnect', opts.eventMs);
        const pending = deviceError(r.pad.verify(fakeTemplate(2), opts.fingerMs));
        await delay(50);
        await line.unplug();
        expect((await pending).code).toBe('disconnected');
        await gone;
        expect((await deviceError(r.pad.capture(opts.noFingerMs))).code).toBe('disconnected');
        const back = nextEvent(r.pad, 'reconnect', opts.eventMs);
        await line.replug();
        await back;
        await place(r, fakeTemplate(2));
        expect((await r.pad.verify(fakeTemplate(2), opts.fingerMs)).match).toBe(true);
      });
    }
  });
}

function place(r: FingerprintRig, t: Buffer): void | Promise<void> {
  if (!r.finger) throw new Error('this rig has no scripted finger');
  return r.finger.place(t);
}

function lift(r: FingerprintRig): void | Promise<void> {
  if (!r.finger) throw new Error('this rig has no scripted finger');
  return r.finger.lift();
}
