/**
 * Latency of the JCM ID-003 cash acceptor driver against its validator
 * simulator over a socat pty (SerialPortTransport on both ends, 9600 baud
 * 8E1, the driver's default status poll every 200 ms):
 *
 * - bill inserted → in escrow: from the person feeding the bill at the
 *   simulator to the driver putting it to the escrow handler (the driver has
 *   no separate event for it: the handler call is where the kiosk learns of
 *   the bill). Includes the simulator's 20 ms transport to escrow.
 * - stack → stacked: from the handler answering `stack` to the `stacked`
 *   event (STACK-1 sent, the simulator's 20 ms stacking, VEND VALID seen at a
 *   poll and acknowledged).
 * - inserted → stacked: the whole bill.
 *
 * A real validator takes seconds to draw in, validate and stack a note; its
 * mechanics are not in these figures, only the line and the driver. Bills
 * are fed at random moments so they land at every phase of the poll cycle.
 * Prints figures; never passes or fails.
 */
import { Id003CashAcceptor } from '../drivers/cash/id003.js';
import { CMD, STATUS, encodeFrame } from '../drivers/cash/id003-codec.js';
import { JPY_DENOMINATIONS } from '../drivers/cash/id003-options.js';
import { Id003ValidatorSim } from '../drivers/cash/id003-sim.js';
import { row, sleep, when, withPty } from './_latency.js';

const BILLS = Number(process.env.BENCH_CASH_BILLS ?? 50);
const POLL_MS = 200; // resolveId003Options' default
const BAUD = 9600; // drivers/cash/schema.ts' default; ID-003 is 8E1
const CODE = 0x61; // 1000 JPY

export async function run(): Promise<void> {
  // 8E1: 11 bits a byte. One status poll: the request and an answer with one data byte (ESCROW + code).
  const pollWire = ((encodeFrame(CMD.status).length + encodeFrame(STATUS.escrow, Buffer.from([CODE])).length) * 11 * 1000) / BAUD;
  console.log(`ID-003: ${BILLS} bills, pollIntervalMs ${POLL_MS}, ${BAUD} baud 8E1, validator reply delay 3 ms, bill transport 20 ms`);
  console.log(`  wire time at ${BAUD} baud (not in the figures): a status poll round trip ${pollWire.toFixed(1)} ms`);
  await withPty({ baudRate: BAUD, parity: 'even' }, async (kiosk, device) => {
    const sim = new Id003ValidatorSim(device);
    const acceptor = new Id003CashAcceptor(kiosk, { currency: 'JPY', denominations: JPY_DENOMINATIONS });
    acceptor.on('error', () => undefined);
    let escrowAt = 0;
    acceptor.setEscrowHandler(() => {
      escrowAt = performance.now();
      return 'stack';
    });
    await acceptor.open();
    await acceptor.enable();
    const toEscrow: number[] = [];
    const toStacked: number[] = [];
    const whole: number[] = [];
    try {
      for (let i = 0; i < BILLS; i++) {
        // The person waits for the slot to open again (the previous bill is counted, the validator idle).
        const until = performance.now() + 2000;
        while (!sim.accepting && performance.now() < until) await sleep(2);
        await sleep(Math.random() * POLL_MS);
        escrowAt = 0;
        const stacked = when(acceptor, 'stacked', () => true);
        const t0 = performance.now();
        if (!sim.insert(CODE)) throw new Error('the simulated validator did not take the bill');
        const at = await stacked;
        toEscrow.push(escrowAt - t0);
        toStacked.push(at - escrowAt);
        whole.push(at - t0);
      }
    } finally {
      await acceptor.close();
      sim.detach();
    }
    console.log(row('pty: bill inserted → escrow handler', toEscrow));
    console.log(row('pty: stack answer → stacked event', toStacked));
    console.log(row('pty: bill inserted → stacked event', whole));
  });
}
