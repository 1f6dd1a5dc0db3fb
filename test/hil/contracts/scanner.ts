/**
 * The Scanner contract (drivers/scanner/contract.ts) as tests every scanner
 * must pass: the serial scanner over a pty, the HID POS scanner, the
 * in-process sim, and real hardware (where `scan` asks a person to scan a
 * printed symbol with the given text).
 *
 * Usage:
 *   scannerContract('serial scanner over pty', async () => ({ scanner, scan, supportsAim: true, dispose }));
 *
 * The harness hands over a scanner that is NOT opened yet (the suite opens and
 * closes it) and `scan(text, aim?)`, which makes the hardware side read a
 * symbol holding `text`, sent with the AIM identifier `aim` (e.g. `]Q1`) when
 * the device sends one. Tests run in real time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ScanRead, Scanner } from '../../../drivers/scanner/contract.js';

export interface ScannerHarness {
  /** The scanner under test, not opened yet. */
  scanner: Scanner;
  /** The hardware side reads a symbol holding `text`; `aim` is the identifier the device sends, if any. */
  scan: (text: string, aim?: string) => void | Promise<void>;
  /** Whether the device passes AIM identifiers through (then `symbology` must be reported). */
  supportsAim: boolean;
  /** Frees what the harness made, after the suite closed the scanner. */
  dispose(): Promise<void>;
}

export interface ScannerContractOptions {
  /** How long to wait for a read (ms). Default 1000; raise it when a person scans. */
  readTimeoutMs?: number;
}

async function waitFor(what: string, cond: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A slip-shaped text of `n` characters. */
function slipLike(n: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let s = 'PKS1.';
  for (let i = 0; s.length < n; i++) s += alphabet[(i * 11 + 5) % alphabet.length];
  return s;
}

export function scannerContract(name: string, make: () => Promise<ScannerHarness>, options: ScannerContractOptions = {}): void {
  const readMs = options.readTimeoutMs ?? 1000;

  describe(`Scanner contract: ${name}`, () => {
    let h: ScannerHarness | null = null;

    async function start(): Promise<{ h: ScannerHarness; reads: ScanRead[] }> {
      h = await make();
      const reads: ScanRead[] = [];
      h.scanner.on('read', (r) => reads.push(r));
      h.scanner.on('error', () => undefined);
      await h.scanner.open();
      return { h, reads };
    }

    afterEach(async () => {
      if (!h) return;
      await h.scanner.close();
      await h.dispose();
      h = null;
    });

    it('reads a symbol as its text, without line ending', async () => {
      const { h, reads } = await start();
      await h.scan('TXN-000123');
      await waitFor('a read', () => reads.length >= 1, readMs);
      expect(reads[0].text).toBe('TXN-000123');
    });

    it('reads a slip-sized symbol whole', async () => {
      const { h, reads } = await start();
      const slip = slipLike(300);
      await h.scan(slip, ']Q1');
      await waitFor('a read', () => reads.length >= 1, readMs);
      expect(reads.map((r) => r.text)).toEqual([slip]);
    });

    it('reports the AIM symbology when the device sends one, else null', async () => {
      const { h, reads } = await start();
      await h.scan('0123456789', ']C0');
      await waitFor('a read', () => reads.length >= 1, readMs);
      expect(reads[0].text).toBe('0123456789');
      if (h.supportsAim) expect(reads[0].symbology).toBe(']C0');
      else expect(reads[0].symbology).toBeNull();
    });

    it('keeps reads in order', async () => {
      const { h, reads } = await start();
      for (const t of ['A1', 'B2', 'C3']) await h.scan(t);
      await waitFor('3 reads', () => reads.length >= 3, readMs);
      expect(reads.map((r) => r.text)).toEqual(['A1', 'B2', 'C3']);
    });

    it('emits no reads after close', async () => {
      const { h, reads } = await start();
      await h.scanner.close();
      await h.scan('late');
      await new Promise((r) => setTimeout(r, 150));
      expect(reads).toEqual([]);
    });
  });
}
