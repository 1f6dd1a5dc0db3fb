/**
 * The Keypad contract (drivers/keypad/contract.ts) as tests every keypad must
 * pass: the serial keypad over a pty, the GPIO matrix, the in-process sim, and
 * real hardware (where `press` asks a person to press the keys).
 *
 * Usage:
 *   keypadContract('serial keypad over pty', async () => ({ keypad, press, dispose }));
 *
 * The harness hands over a keypad that is NOT opened yet (the suite opens and
 * closes it) and `press(keys)`, which makes the hardware side press `keys`
 * (only 0-9 * #) in order. Tests run in real time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Key, Keypad } from '../../../drivers/keypad/contract.js';

export interface KeypadHarness {
  /** The keypad under test, not opened yet. */
  keypad: Keypad;
  /** Presses the keys in order on the hardware side. */
  press: (keys: string) => void | Promise<void>;
  /** Frees what the harness made, after the suite closed the keypad. */
  dispose(): Promise<void>;
}

export interface KeypadContractOptions {
  /** How long to wait for the keys (ms). Default 5000 (they come in well under a second unless the machine is busy); raise it when a person presses them. */
  keyTimeoutMs?: number;
}

async function waitFor(what: string, cond: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function keypadContract(name: string, make: () => Promise<KeypadHarness>, options: KeypadContractOptions = {}): void {
  const keyMs = options.keyTimeoutMs ?? 5000;

  describe(`Keypad contract: ${name}`, () => {
    let h: KeypadHarness | null = null;

    async function start(): Promise<{ h: KeypadHarness; keys: Key[] }> {
      h = await make();
      const keys: Key[] = [];
      h.keypad.on('key', (k) => keys.push(k));
      h.keypad.on('error', () => undefined);
      await h.keypad.open();
      return { h, keys };
    }

    afterEach(async () => {
      if (!h) return;
      await h.keypad.close();
      await h.dispose();
      h = null;
    });

    it('delivers an entry as keys, in the order pressed', async () => {
      const { h, keys } = await start();
      await h.press('1234#');
      await waitFor('5 keys', () => keys.length >= 5, keyMs);
      expect(keys).toEqual(['1', '2', '3', '4', '#']);
    });

    it('delivers every key of the pad', async () => {
      const { h, keys } = await start();
      await h.press('0123456789*#');
      await waitFor('12 keys', () => keys.length >= 12, keyMs);
      expect(keys.join('')).toBe('0123456789*#');
    });

    it('delivers a repeated key once per press', async () => {
      const { h, keys } = await start();
      await h.press('77');
      await waitFor('2 keys', () => keys.length >= 2, keyMs);
      await new Promise((r) => setTimeout(r, 100));
      expect(keys).toEqual(['7', '7']);
    });

    it('emits no keys after close', async () => {
      const { h, keys } = await start();
      await h.keypad.close();
      await h.press('9');
      await new Promise((r) => setTimeout(r, 150));
      expect(keys).toEqual([]);
    });
  });
}
