import { silentLog, type Log } from '../../src/log.js';
import { toPixels, type CameraFrame, type FrameDecoder } from './camera-frame.js';
import { createJsDecoder } from './camera-zxing-js.js';
import { createWasmDecoder } from './camera-wasm.js';
import type { ScanRead } from './contract.js';

export { CameraFrameError, MAX_FRAME_PIXELS, type CameraFrame, type FrameDecoder, type PixelFrame } from './camera-frame.js';

/**
 * Decoding QR, DataMatrix and Code 128 from camera frames.
 *
 * The decoder is zxing-cpp (zxing-wasm), loaded from the package on disk; if
 * it cannot load, @zxing/library (pure JS) takes over and the reason is
 * logged. Measured on generated frames (bench/camera.ts, docs/drivers/camera.md)
 * zxing-wasm read every rotated DataMatrix where @zxing/library read none
 * beyond 0°, and was faster on every kind of frame.
 */

let chosen: Promise<FrameDecoder> | null = null;

/** Tries `loadPreferred` (zxing-wasm); on failure logs why and returns @zxing/library. Never rejects. */
export async function pickDecoder(loadPreferred: () => Promise<FrameDecoder>, log: Log = silentLog): Promise<FrameDecoder> {
  try {
    return await loadPreferred();
  } catch (e) {
    log.warn(
      { err: (e as Error).message },
      'zxing-wasm could not load; decoding camera frames with @zxing/library (slower, and it misses rotated or off-centre DataMatrix)',
    );
    return createJsDecoder();
  }
}

/** The decoder decodeFrame uses: zxing-wasm, else @zxing/library. Loaded once per process. */
export function defaultDecoder(log: Log = silentLog): Promise<FrameDecoder> {
  chosen ??= pickDecoder(createWasmDecoder, log);
  return chosen;
}

/**
 * Every QR, DataMatrix and Code 128 symbol in a frame (greyscale or RGBA
 * pixels, or a PNG file's bytes). Resolves [] when there is none. Rejects
 * with CameraFrameError (the reason in words) when the frame itself is bad:
 * not a PNG, sizes that do not add up, larger than 4K. Never throws synchronously.
 */
export async function decodeFrame(frame: CameraFrame, opts: { decoder?: FrameDecoder } = {}): Promise<ScanRead[]> {
  const pixels = toPixels(frame);
  const decoder = opts.decoder ?? (await defaultDecoder());
  const found = await decoder.decode(pixels);
  const reads: ScanRead[] = [];
  for (const f of found) {
    const text = f.text.replace(/[\r\n]+$/, '');
    if (text.length > 0 && !reads.some((r) => r.text === text && r.symbology === f.symbology)) {
      reads.push({ text, symbology: f.symbology });
    }
  }
  return reads;
}
