/**
 * Door latency of the CU16 driver: how long a door change takes to reach the
 * `door` event, p50/p99/max over a few hundred changes.
 *
 * - "from change": from the simulated board's door switch changing to the
 *   event; includes the wait for the next poll (pollIntervalMs 40), so this is
 *   what a person at the door experiences (minus the board's own scan time).
 * - "from reply": from the board handing the status reply that carries the
 *   change to its transport, to the event: the line, the transport and the
 *   driver alone.
 *
 * Measured twice: over a real socat pty with SerialPortTransport on both ends
 * (19200 baud settings; a pty moves bytes at memory speed, so the 19200 baud
 * wire time of a real bus, ~7.3 ms per poll round trip, is not in these
 * figures), and through the driver alone on an in-process pipe. Changes are
 * spaced at random so they land at every phase of the poll cycle. Prints
 * figures; never passes or fails.
 */
import { Cu16LockBank } from '../drivers/locks/cu16.js';
import { Cu16BoardSim } from '../drivers/locks/cu16-sim.js';
import { createPipePair } from '../drivers/serial/pipe.js';
import { startPtyPair } from '../drivers/serial/pty.js';
import { SerialPortTransport } from '../drivers/serial/serialport-transport.js';
import type { ByteTransport } from '../drivers/serial/transport.js';

const CHANGES = Number(process.env.BENCH_DOOR_CHANGES ?? 300);
const POLL_MS = 40;
const REPLY_DELAY_MS = 5;
const LOCK = 7;

interface Figures {
  fromChange: number[];
  fromReply: number[];
}

async function measure(kiosk: ByteTransport, device: ByteTransport): Promise<Figures> {
  const sim = new Cu16BoardSim(device, { address: 0, replyDelayMs: REPLY_DELAY_MS });
  const bank = new Cu16LockBank(kiosk, { boards: [0], pollIntervalMs: POLL_MS });
  bank.on('error', () => undefined);
  await bank.open();
  const bit = 1 << (LOCK - 1);
  const figures: Figures = { fromChange: [], fromReply: [] };
  let changedAt = 0;
  let want = false;
  let replyAt = 0;
  sim.onReply = (_hooks, sensors) => {
    if (replyAt === 0 && ((sensors & bit) !== 0) === want) replyAt = performance.now();
  };
  for (let i = 0; i < CHANGES; i++) {
    await new Promise((r) => setTimeout(r, Math.random() * POLL_MS));
    want = !want;
    replyAt = 0;
    const seen = new Promise<number>((resolve) => {
      const on = (channel: number, open: boolean): void => {
        if (channel !== LOCK || open !== want) return;
        bank.off('door', on);
        resolve(performance.now());
      };
      bank.on('door', on);
    });
    changedAt = performance.now();
    if (want) sim.openDoor(LOCK);
    else sim.closeDoor(LOCK);
    const at = await seen;
    figures.fromChange.push(at - changedAt);
    if (replyAt > 0) figures.fromReply.push(at - replyAt);
  }
  await bank.close();
  sim.detach();
  return figures;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

function row(label: string, xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const f = (v: number): string => v.toFixed(2).padStart(7);
  return `${label.padEnd(34)} n=${String(s.length).padStart(4)}  p50 ${f(pct(s, 50))} ms  p99 ${f(pct(s, 99))} ms  max ${f(s.at(-1) ?? NaN)} ms`;
}

export async function run(): Promise<void> {
  // The driver's timers do not hold the process open (a kiosk has its server for that); this does.
  const keepAlive = setInterval(() => undefined, 1000);
  try {
    await runAll();
  } finally {
    clearInterval(keepAlive);
  }
}

async function runAll(): Promise<void> {
  console.log(`CU16 door latency: ${CHANGES} changes, pollIntervalMs ${POLL_MS}, board reply delay ${REPLY_DELAY_MS} ms`);

  const pty = await startPtyPair();
  const device = new SerialPortTransport({ path: pty.devicePath, baudRate: 19200 });
  await device.open();
  const kiosk = new SerialPortTransport({ path: pty.kioskPath, baudRate: 19200 });
  try {
    const f = await measure(kiosk, device);
    console.log(row('pty: door change → door event', f.fromChange));
    console.log(row('pty: status reply → door event', f.fromReply));
  } finally {
    await device.close();
    await pty.dispose();
  }

  const pair = createPipePair();
  await pair.device.open();
  const g = await measure(pair.kiosk, pair.device);
  console.log(row('pipe: door change → door event', g.fromChange));
  console.log(row('pipe: status reply → door event', g.fromReply));
  await pair.device.close();
}
