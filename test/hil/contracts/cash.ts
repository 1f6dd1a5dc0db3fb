/**
 * The CashAcceptor contract (drivers/cash/contract.ts) as tests every cash
 * acceptor must pass: the in-process sim, the ID-003 driver against a
 * validator sim on a socat pty, and a real validator.
 *
 * The harness hands over an acceptor that is NOT opened yet, plus hooks that
 * act as the person and the hardware. With `{ hardware: true }` only the tests
 * that need no hooks are registered.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceError } from '../../../src/core/errors.js';
import type { Bill, CashAcceptor, EscrowAnswer, ReturnReason } from '../../../drivers/cash/contract.js';

export interface CashHarness {
  acceptor: CashAcceptor;
  /** The acceptor's currency and two of its denominations (small < large), in minor units. */
  currency: string;
  small: number;
  large: number;
  /** A person feeds a bill worth `amount`; false when the acceptor would not take it in at all. */
  insert?: (amount: number) => boolean | Promise<boolean>;
  /** Amounts in the box (stacked), as the hardware counts them. */
  inBox?: () => number[];
  /**
   * The kiosk stops dead while a bill is in escrow: the acceptor under test is
   * dropped without answering, and a fresh one on the same hardware is returned
   * (not opened). Absent where the hardware cannot hold a bill across a restart.
   */
  restart?: () => Promise<CashAcceptor>;
  dispose(): Promise<void>;
}

export interface CashContractOptions {
  hardware?: boolean;
  /** The harness has a `restart` hook (the acceptor holds a bill in escrow across a kiosk restart). */
  restart?: boolean;
  eventTimeoutMs?: number;
}

type Outcome = { kind: 'stacked'; bill: Bill } | { kind: 'returned'; bill: Bill; reason: ReturnReason };

function outcomes(a: CashAcceptor): Outcome[] {
  const seen: Outcome[] = [];
  a.on('stacked', (bill) => seen.push({ kind: 'stacked', bill }));
  a.on('returned', (bill, reason) => seen.push({ kind: 'returned', bill, reason }));
  return seen;
}

async function waitFor(what: string, cond: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function hook<T>(h: T | undefined, name: string): T {
  if (h === undefined) throw new Error(`the harness has no ${name} hook; pass { hardware: true } for real hardware`);
  return h;
}

export function cashAcceptorContract(name: string, make: () => Promise<CashHarness>, options: CashContractOptions = {}): void {
  const ms = options.eventTimeoutMs ?? 3000;

  describe(`CashAcceptor contract: ${name}`, () => {
    let h: CashHarness | null = null;
    const extra: CashAcceptor[] = [];

    async function start(): Promise<CashHarness> {
      h = await make();
      h.acceptor.on('error', () => undefined);
      await h.acceptor.open();
      return h;
    }

    afterEach(async () => {
      for (const a of extra.splice(0)) await a.close();
      if (!h) return;
      await h.acceptor.close();
      await h.dispose();
      h = null;
    });

    it('opens disabled, enables and disables', async () => {
      const { acceptor, currency, large } = await start();
      await acceptor.enable({ currency, amount: large });
      await acceptor.disable();
    });

    it('after close, enable rejects with closed', async () => {
      const { acceptor } = await start();
      await acceptor.close();
      const err = await acceptor.enable().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DeviceError);
      expect((err as DeviceError).code).toBe('closed');
    });

    if (options.hardware) return;

    it('stacks a bill only after the handler recorded it, and reports it stacked once', async () => {
      const harness = await start();
      const { acceptor, currency, small } = harness;
      const inBox = hook(harness.inBox, 'inBox');
      const seen = outcomes(acceptor);
      const asked: Array<{ bill: Bill; boxAtRecord: number }> = [];
      acceptor.setEscrowHandler((bill) => {
        asked.push({ bill, boxAtRecord: inBox().length });
        return 'stack';
      });
      await acceptor.enable({ currency, amount: small * 3 });
      await hook(harness.insert, 'insert')(small);
      await waitFor('stacked', () => seen.length > 0, ms);
      expect(asked).toHaveLength(1);
      expect(asked[0].bill).toMatchObject({ amount: small, currency, resumed: false });
      expect(asked[0].boxAtRecord).toBe(0); // recorded while still in escrow
      expect(seen).toEqual([{ kind: 'stacked', bill: asked[0].bill }]);
      await waitFor('in the box', () => inBox().length === 1, ms);
      expect(inBox()).toEqual([small]);
    });

    for (const [answer, why] of [['return', 'answers return'], ['throw', 'fails']] as const) {
      it(`hands the bill back when the handler ${why}, never stacking it`, async () => {
        const harness = await start();
        const { acceptor, currency, small } = harness;
        const seen = outcomes(acceptor);
        acceptor.setEscrowHandler((): EscrowAnswer => {
          if (answer === 'throw') throw new Error('database is locked');
          return 'return';
        });
        await acceptor.enable({ currency, amount: small });
        await hook(harness.insert, 'insert')(small);
        await waitFor('returned', () => seen.length > 0, ms);
        expect(seen).toMatchObject([{ kind: 'returned', reason: 'refused', bill: { amount: small } }]);
        expect(hook(harness.inBox, 'inBox')()).toEqual([]);
      });
    }

    it('a bill above what is due, or in another currency, goes back without asking the handler', async () => {
      const harness = await start();
      const { acceptor, currency, small, large } = harness;
      const seen = outcomes(acceptor);
      let asked = 0;
      acceptor.setEscrowHandler(() => {
        asked++;
        return 'stack';
      });
      await acceptor.enable({ currency, amount: small });
      await hook(harness.insert, 'insert')(large);
      await waitFor('returned', () => seen.length === 1, ms);
      await acceptor.enable({ currency: currency === 'XTS' ? 'XXX' : 'XTS', amount: large * 10 });
      await hook(harness.insert, 'insert')(small);
      await waitFor('returned', () => seen.length === 2, ms);
      expect(seen.map((s) => (s.kind === 'returned' ? s.reason : s.kind))).toEqual(['above-due', 'wrong-currency']);
      expect(asked).toBe(0);
      expect(hook(harness.inBox, 'inBox')()).toEqual([]);
    });

    it('disabled, it takes no money', async () => {
      const harness = await start();
      const { acceptor, currency, small } = harness;
      const seen = outcomes(acceptor);
      acceptor.setEscrowHandler(() => 'stack');
      await acceptor.enable({ currency, amount: small });
      await acceptor.disable();
      const took = await hook(harness.insert, 'insert')(small);
      if (took) await waitFor('returned', () => seen.length > 0, ms);
      expect(seen.filter((s) => s.kind === 'stacked')).toEqual([]);
      expect(hook(harness.inBox, 'inBox')()).toEqual([]);
    });

    if (!options.restart) return;

    it('a kiosk that stops between recording and stacking: the next start offers the same bill again (resumed), stacked once', async () => {
      const harness = await start();
      const { acceptor, currency, small } = harness;
      const recorded: Bill[] = [];
      acceptor.setEscrowHandler((bill) => {
        recorded.push(bill);
        return new Promise<EscrowAnswer>(() => undefined); // recorded, then the process dies before answering
      });
      await acceptor.enable({ currency, amount: small });
      await hook(harness.insert, 'insert')(small);
      await waitFor('recorded', () => recorded.length === 1, ms);
      const next = await hook(harness.restart, 'restart')();
      extra.push(next);
      next.on('error', () => undefined);
      const seen = outcomes(next);
      await next.open();
      const again: Bill[] = [];
      next.setEscrowHandler((bill) => {
        again.push(bill);
        return 'stack';
      });
      await waitFor('stacked after the restart', () => seen.length > 0, ms);
      expect(again).toHaveLength(1);
      expect(again[0]).toMatchObject({ amount: small, currency, resumed: true });
      expect(seen).toMatchObject([{ kind: 'stacked', bill: { amount: small, resumed: true } }]);
      expect(hook(harness.inBox, 'inBox')()).toEqual([small]);
    });
  });
}
