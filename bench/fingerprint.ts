/**
 * Fingerprint pad (R30x / AS608): what the codec and driver cost, apart from
 * the module's own imaging and matching time (a real module takes roughly
 * 0.3-1 s for GenImg + Img2Tz, which no simulator here reproduces).
 *
 * - Decoder throughput on a realistic stream (acks and 128-byte data packets
 *   of UpChar, cut into random chunks as a serial port delivers them).
 * - Bytes on the wire per verify and capture, and what that takes at
 *   57600 baud 8N1 (10 bits a byte) on a real line.
 * - verify() and capture() round trips with a finger already on the pad,
 *   through the driver on an in-process pipe, and over a socat pty with the
 *   real serialport on both ends (a pty moves bytes at memory speed: the
 *   baud-rate wire time above is not in these figures).
 *
 * Prints figures; never passes or fails.
 */
import { R30xPad } from '../drivers/fingerprint/r30x.js';
import { encodeAck, encodeDataPackets, R30xDecoder } from '../drivers/fingerprint/r30x-codec.js';
import { R30xSim } from '../drivers/fingerprint/r30x-sim.js';
import { createPipePair } from '../drivers/serial/pipe.js';
import { startPtyPair } from '../drivers/serial/pty.js';
import { SerialPortTransport } from '../drivers/serial/serialport-transport.js';
import type { ByteTransport } from '../drivers/serial/transport.js';

const ROUNDS = Number(process.env.BENCH_FINGERPRINT_ROUNDS ?? 200);

function template(seed: number): Buffer {
  return Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 13 + seed) & 0xff));
}

function decoderThroughput(): void {
  const unit = Buffer.concat([encodeAck(0xffffffff, 0), ...encodeDataPackets(0xffffffff, template(1), 128)]);
  const stream = Buffer.concat(Array.from({ length: 2000 }, () => unit));
  const chunks: Buffer[] = [];
  let seed = 7;
  for (let at = 0; at < stream.length; ) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const n = 1 + (seed % 64);
    chunks.push(stream.subarray(at, at + n));
    at += n;
  }
  const d = new R30xDecoder();
  let packets = 0;
  const t0 = performance.now();
  for (let rep = 0; rep < 5; rep++) {
    for (const c of chunks) for (const e of d.push(c)) if (e.type === 'packet') packets++;
  }
  const ms = performance.now() - t0;
  const mb = (stream.length * 5) / 1e6;
  console.log(
    `decoder: ${(mb / (ms / 1000)).toFixed(1)} MB/s, ${Math.round(packets / (ms / 1000)).toLocaleString('en')} packets/s ` +
      `(${chunks.length * 5} chunks of 1-64 bytes, ${packets} packets)`,
  );
}

/** A pad and a simulated module over the given transports; counts the bytes each way. */
async function pair(kiosk: ByteTransport, device: ByteTransport): Promise<{ pad: R30xPad; sim: R30xSim; bytes: () => { out: number; back: number } }> {
  let out = 0;
  let back = 0;
  device.on('data', (c) => (out += c.length));
  kiosk.on('data', (c) => (back += c.length));
  const sim = new R30xSim(device, { packetSize: 128 });
  await sim.open();
  const pad = new R30xPad(kiosk, { pollMs: 20, commandTimeoutMs: 2000 });
  await pad.open();
  sim.placeFinger(template(3));
  return { pad, sim, bytes: () => ({ out, back }) };
}

function stats(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return `p50 ${at(0.5).toFixed(2)} ms, p99 ${at(0.99).toFixed(2)} ms, max ${s[s.length - 1].toFixed(2)} ms`;
}

async function roundTrips(label: string, kiosk: ByteTransport, device: ByteTransport, wire: boolean): Promise<void> {
  const { pad, sim, bytes } = await pair(kiosk, device);
  try {
    for (const op of ['verify', 'capture'] as const) {
      const times: number[] = [];
      const before = bytes();
      for (let i = 0; i < ROUNDS; i++) {
        const t0 = performance.now();
        if (op === 'verify') await pad.verify(template(3));
        else await pad.capture();
        times.push(performance.now() - t0);
      }
      const after = bytes();
      const out = (after.out - before.out) / ROUNDS;
      const back = (after.back - before.back) / ROUNDS;
      console.log(`${label} ${op}: ${stats(times)} over ${ROUNDS}`);
      if (wire) {
        const ms = ((out + back) * 10 * 1000) / 57600;
        console.log(`  wire per ${op}: ${out} bytes out, ${back} bytes back = ${ms.toFixed(1)} ms at 57600 baud 8N1`);
      }
    }
  } finally {
    await pad.close();
    await sim.close();
  }
}

export async function run(): Promise<void> {
  decoderThroughput();
  const pipes = createPipePair();
  await roundTrips('pipe', pipes.kiosk, pipes.device, true);
  let pty;
  try {
    pty = await startPtyPair();
  } catch (e) {
    console.log(`pty: not measured (${e instanceof Error ? e.message : String(e)})`);
    return;
  }
  try {
    await roundTrips(
      'pty ',
      new SerialPortTransport({ path: pty.kioskPath, baudRate: 57600 }),
      new SerialPortTransport({ path: pty.devicePath, baudRate: 57600 }),
      false,
    );
  } finally {
    await pty.dispose();
  }
}
