import { silentLog, type Log } from '../../src/core/log.js';
import { toGrey, toPixels, type CameraFrame, type FoundSymbol, type FrameDecoder } from './camera-frame.js';
import { cutStrip, findBarRegions, type BarRegion } from './camera-orient.js';
import { createJsDecoder } from './camera-zxing-js.js';
import { createWasmDecoder } from './camera-wasm.js';
import type { ScanRead } from './contract.js';

export { CameraFrameError, MAX_FRAME_PIXELS, type CameraFrame, type FrameDecoder, type PixelFrame } from './camera-frame.js';

/**
 * Decoding QR and DataMatrix (slips) and Code 128, ITF, Code 39 and EAN/JAN
 * (parcel labels) from camera frames, the 1D ones at any angle.
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

/** At most this many barcode-like regions of a frame are cut out and read as level strips. */
const MAX_STRIPS = 4;
/** Turns (radians) tried on the strongest region when no strip read: ±7°. */
const RETRY_TURNS = [(7 * Math.PI) / 180, (-7 * Math.PI) / 180];

/**
 * Every QR, DataMatrix, Code 128, ITF, Code 39 and EAN symbol in a frame
 * (greyscale or RGBA pixels, or a PNG file's bytes). The whole frame is read
 * once (2D at any angle, 1D when level); then each barcode-like region is cut
 * out turned level and read for 1D symbols, so a label at any angle reads
 * (camera-orient.ts). Resolves [] when there is none. Rejects
 * with CameraFrameError (the reason in words) when the frame itself is bad:
 * not a PNG, sizes that do not add up, larger than 4K. Never throws synchronously.
 */
export async function decodeFrame(frame: CameraFrame, opts: { decoder?: FrameDecoder } = {}): Promise<ScanRead[]> {
  const pixels = toPixels(frame);
  const decoder = opts.decoder ?? (await defaultDecoder());
  const found: FoundSymbol[] = await decoder.decode(pixels);
  const grey = toGrey(pixels);
  const regions = findBarRegions(grey, pixels.width, pixels.height, MAX_STRIPS);
  const readStrip = async (region: BarRegion): Promise<number> => {
    const strip = cutStrip(grey, pixels.width, pixels.height, region);
    const got = await decoder.decodeLinear({ ...strip, channels: 1 });
    found.push(...got);
    return got.length;
  };
  let linear = 0;
  for (const region of regions) linear += await readStrip(region);
  // The angle of a short or blurred label can be off by several degrees; when nothing
  // read, the strongest region is tried again turned a little either way.
  if (linear === 0 && regions.length > 0) {
    for (const turn of RETRY_TURNS) {
      if ((await readStrip({ ...regions[0], angle: regions[0].angle + turn })) > 0) break;
    }
  }
  const reads: ScanRead[] = [];
  for (const f of found) {
    const text = f.text.replace(/[\r\n]+$/, '');
    if (text.length > 0 && !reads.some((r) => r.text === text && r.symbology === f.symbology)) {
      reads.push({ text, symbology: f.symbology });
    }
  }
  return reads;
}
