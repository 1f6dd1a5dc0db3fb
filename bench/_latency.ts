/**
 * What the device latency benchmarks share: percentiles, one printed row, a
 * socat pty with SerialPortTransport on both ends, and a keep-alive (driver
 * timers do not hold the process open). Not a benchmark itself (run.ts skips
 * files starting with `_`).
 */
import type { EventMap, TypedEmitter } from '../src/core/events.js';
import { startPtyPair } from '../drivers/serial/pty.js';
import { SerialPortTransport, type SerialPortTransportOptions } from '../drivers/serial/serialport-transport.js';

export function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** `label  n=…  p50 … ms  p99 … ms  max … ms`. */
export function row(label: string, xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const f = (v: number): string => v.toFixed(2).padStart(7);
  return `${label.padEnd(40)} n=${String(s.length).padStart(4)}  p50 ${f(pct(s, 50))} ms  p99 ${f(pct(s, 99))} ms  max ${f(s.at(-1) ?? NaN)} ms`;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves with performance.now() at the first `event` for which `match` holds. */
export function when<E extends EventMap, K extends keyof E & string>(
  emitter: TypedEmitter<E>,
  event: K,
  match: (...a: E[K]) => boolean,
): Promise<number> {
  return new Promise((resolve) => {
    const on = (...a: E[K]): void => {
      if (!match(...a)) return;
      emitter.off(event, on);
      resolve(performance.now());
    };
    emitter.on(event, on);
  });
}

/**
 * Runs `body` with a pty pair: the device end already open (for the
 * simulator), the kiosk end's transport not yet opened (the driver opens and
 * closes it). Both at `settings` (baud rate, parity).
 */
export async function withPty<T>(
  settings: Omit<SerialPortTransportOptions, 'path'>,
  body: (kiosk: SerialPortTransport, device: SerialPortTransport) => Promise<T>,
): Promise<T> {
  const keepAlive = setInterval(() => undefined, 1000);
  const pty = await startPtyPair();
  const device = new SerialPortTransport({ ...settings, path: pty.devicePath });
  try {
    await device.open();
    const kiosk = new SerialPortTransport({ ...settings, path: pty.kioskPath });
    return await body(kiosk, device);
  } finally {
    await device.close();
    await pty.dispose();
    clearInterval(keepAlive);
  }
}
