/**
 * The JCM ID-003 driver over a real pty pair: SerialPortTransport and
 * Id003CashAcceptor on the kiosk end, Id003ValidatorSim on the device end.
 * With KIOSK_TEST_CASH=/dev/ttyUSB0 the contract also runs against a real
 * validator (KIOSK_TEST_CASH_CURRENCY, default JPY); see docs/drivers/cash.md.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Id003CashAcceptor } from '../../drivers/cash/id003.js';
import { CMD, STATUS } from '../../drivers/cash/id003-codec.js';
import { JPY_DENOMINATIONS } from '../../drivers/cash/id003-options.js';
import { Id003ValidatorSim } from '../../drivers/cash/id003-sim.js';
import type { Bill, ReturnReason } from '../../drivers/cash/contract.js';
import { startPtyPair, type PtyPair } from '../../drivers/serial/pty.js';
import { SerialPortTransport } from '../../drivers/serial/serialport-transport.js';
import { cashAcceptorContract, type CashHarness } from './contracts/cash.js';

const CODE_OF: Record<number, number> = Object.fromEntries(Object.entries(JPY_DENOMINATIONS).map(([c, v]) => [v, Number(c)]));

interface Rig {
  pty: PtyPair;
  device: SerialPortTransport;
  sim: Id003ValidatorSim;
  make(): Id003CashAcceptor;
  dispose(): Promise<void>;
}

async function rig(): Promise<Rig> {
  const pty = await startPtyPair();
  const device = new SerialPortTransport({ path: pty.devicePath, baudRate: 9600, reconnectMs: 25 });
  await device.open();
  const sim = new Id003ValidatorSim(device, { moveMs: 15 });
  const made: Id003CashAcceptor[] = [];
  return {
    pty, device, sim,
    make() {
      const a = new Id003CashAcceptor(new SerialPortTransport({ path: pty.kioskPath, baudRate: 9600, reconnectMs: 25 }), { currency: 'JPY', denominations: JPY_DENOMINATIONS, pollIntervalMs: 20 });
      made.push(a);
      return a;
    },
    async dispose() {
      for (const a of made) await a.close();
      sim.detach();
      await device.close();
      await pty.dispose();
    },
  };
}

function harness(r: Rig): CashHarness {
  const acceptor = r.make();
  return {
    acceptor,
    currency: 'JPY',
    small: 1000,
    large: 10000,
    insert: async (amount) => {
      const code = CODE_OF[amount];
      // The person waits for the slot to open (the permit takes a poll to reach the unit).
      const until = Date.now() + 1000;
      while (!r.sim.accepting && Date.now() < until) await new Promise((res) => setTimeout(res, 5));
      return r.sim.insert(code);
    },
    inBox: () => r.sim.stacked.map((c) => JPY_DENOMINATIONS[c]),
    restart: async () => {
      // What a dead process leaves: the port released, no answer given, no command sent.
      await acceptor.close();
      return r.make();
    },
    dispose: () => r.dispose(),
  };
}

cashAcceptorContract('ID-003 validator sim over a socat pty', async () => harness(await rig()), { restart: true });

const real = process.env.KIOSK_TEST_CASH;
if (real) {
  cashAcceptorContract(
    `ID-003 validator on ${real}`,
    async () => ({
      acceptor: new Id003CashAcceptor(new SerialPortTransport({ path: real, baudRate: 9600 }), { currency: process.env.KIOSK_TEST_CASH_CURRENCY ?? 'JPY', denominations: JPY_DENOMINATIONS }),
      currency: process.env.KIOSK_TEST_CASH_CURRENCY ?? 'JPY',
      small: 1000,
      large: 10000,
      dispose: async () => undefined,
    }),
    { hardware: true },
  );
}

async function waitFor(what: string, cond: () => boolean, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('ID-003 over a socat pty', () => {
  let r: Rig | null = null;
  afterEach(async () => {
    await r?.dispose();
    r = null;
  });

  it('open resets a validator that just powered up, and leaves it inhibited', async () => {
    r = await rig();
    const a = r.make();
    await a.open();
    expect(r.sim.commands.slice(0, 2)).toEqual([CMD.status, CMD.reset]);
    expect(r.sim.commands).toContain(CMD.setInhibit);
    await waitFor('inhibited', () => r!.sim.status === STATUS.inhibit);
  });

  it('a stack the validator cannot finish comes back as stack-failed, so the kiosk undoes its record', async () => {
    r = await rig();
    const a = r.make();
    await a.open();
    const back: Array<[Bill, ReturnReason]> = [];
    a.on('returned', (b, why) => back.push([b, why]));
    a.setEscrowHandler(() => 'stack');
    await a.enable({ currency: 'JPY', amount: 5000 });
    r.sim.fault = 'stack-fails';
    await waitFor('accepting', () => r!.sim.accepting);
    r.sim.insert(0x63);
    await waitFor('returned', () => back.length === 1);
    expect(back[0][1]).toBe('stack-failed');
    expect(back[0][0].amount).toBe(5000);
    expect(r.sim.stacked).toEqual([]);
    expect(r.sim.returned).toEqual([0x63]);
  });

  it('a denomination the config does not know is returned, never stacked', async () => {
    r = await rig();
    const a = r.make();
    await a.open();
    const back: ReturnReason[] = [];
    a.on('returned', (_b, why) => back.push(why));
    a.setEscrowHandler(() => 'stack');
    await a.enable();
    await waitFor('accepting', () => r!.sim.accepting);
    r.sim.insert(0x6f);
    await waitFor('returned', () => back.length === 1);
    expect(back).toEqual(['unknown-note']);
    expect(r.sim.stacked).toEqual([]);
  });

  it('a validator that never answers: open rejects not-found in words', async () => {
    r = await rig();
    r.sim.fault = 'silent';
    const a = r.make();
    await expect(a.open()).rejects.toMatchObject({ code: 'not-found', message: expect.stringMatching(/no ID-003 validator answered/) });
  });

  it('a bill in escrow with no handler waits for one, then is recorded and stacked', async () => {
    r = await rig();
    const a = r.make();
    await a.open();
    const stacked: Bill[] = [];
    a.on('stacked', (b) => stacked.push(b));
    await a.enable();
    await waitFor('accepting', () => r!.sim.accepting);
    r.sim.insert(0x61);
    await waitFor('escrow', () => r!.sim.status === STATUS.escrow);
    await new Promise((res) => setTimeout(res, 100));
    expect(r.sim.status).toBe(STATUS.escrow); // held, not returned, not stacked
    a.setEscrowHandler(() => 'stack');
    await waitFor('stacked', () => stacked.length === 1);
    expect(r.sim.stacked).toEqual([0x61]);
  });
});
