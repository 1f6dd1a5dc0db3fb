import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { toRgba, type CameraSymbology, type FoundSymbol, type FrameDecoder, type Pixels } from './camera-frame.js';

/**
 * The zxing-cpp decoder (zxing-wasm). zxing-wasm fetches its .wasm from a CDN
 * unless told otherwise; a kiosk must never do that, so the file is read from
 * the installed package and handed over as `wasmBinary` (and `locateFile`
 * points at the same local file, should it ever be asked for a path).
 */

/** What this file uses of zxing-wasm/reader (typed locally: its own types lean on global Emscripten types). */
interface WasmResult {
  isValid: boolean;
  format: string;
  text: string;
  symbologyIdentifier: string;
}
interface ZxingWasmReader {
  prepareZXingModule(options: {
    overrides: { wasmBinary: ArrayBuffer; locateFile: (path: string, prefix: string) => string };
    fireImmediately: true;
  }): Promise<unknown>;
  readBarcodes(
    input: { width: number; height: number; data: Uint8Array },
    options: { formats: string[]; tryHarder: boolean; tryRotate: boolean; tryInvert: boolean; tryDownscale: boolean; maxNumberOfSymbols: number },
  ): Promise<WasmResult[]>;
}

const FORMATS: Record<string, CameraSymbology> = {
  QRCode: 'qr',
  DataMatrix: 'datamatrix',
  Code128: 'code128',
  ITF: 'itf',
  Code39: 'code39',
  EAN13: 'ean13',
  EAN8: 'ean8',
};
const TWO_D_FORMATS = ['QRCode', 'DataMatrix'];
const LINEAR_FORMATS = Object.keys(FORMATS).filter((k) => !TWO_D_FORMATS.includes(k));

/** Frames up to this many pixels (VGA) are decoded without zxing-cpp's downscaled pyramid, which costs more than it finds there. */
const PYRAMID_ABOVE = 640 * 480;

/** Loads the wasm from the package on disk. Rejects when it cannot (the caller falls back to @zxing/library). */
export async function createWasmDecoder(): Promise<FrameDecoder> {
  const require = createRequire(import.meta.url);
  const wasmPath = require.resolve('zxing-wasm/reader/zxing_reader.wasm');
  const bytes = await readFile(wasmPath);
  const wasmBinary = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const specifier = 'zxing-wasm/reader';
  const zxing = (await import(specifier)) as ZxingWasmReader;
  await zxing.prepareZXingModule({
    overrides: { wasmBinary, locateFile: (path) => (path.endsWith('.wasm') ? wasmPath : path) },
    fireImmediately: true,
  });
  // Whole frames: the 2D symbols, at any angle (zxing-cpp's DataMatrix detector needs
  // tryRotate for some angles). 1D symbols come from the level strips camera.ts cuts out
  // of the frame: that reads them at any angle and costs less than scanning the whole
  // frame for five 1D formats (bench/camera.ts, docs/drivers/camera.md).
  const frameOptions = {
    formats: TWO_D_FORMATS,
    tryHarder: true,
    tryRotate: true,
    tryInvert: false, // labels are dark on light
    tryDownscale: true,
    maxNumberOfSymbols: 8,
  };
  const stripOptions = { ...frameOptions, formats: LINEAR_FORMATS, tryRotate: false, tryDownscale: false, maxNumberOfSymbols: 2 };
  const read = async (p: Pixels, options: typeof frameOptions): Promise<FoundSymbol[]> => {
    const results = await zxing.readBarcodes({ width: p.width, height: p.height, data: toRgba(p) }, options);
    return results.flatMap((r) => {
      const format = FORMATS[r.format];
      return r.isValid && format ? [{ text: r.text, symbology: r.symbologyIdentifier || null, format }] : [];
    });
  };
  return {
    name: 'zxing-wasm',
    decode: (p) => read(p, { ...frameOptions, tryDownscale: p.width * p.height > PYRAMID_ABOVE }),
    decodeLinear: (p) => read(p, stripOptions),
  };
}
