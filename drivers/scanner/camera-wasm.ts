import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { toRgba, type CameraSymbology, type FrameDecoder, type Pixels } from './camera-frame.js';

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

const FORMATS: Record<string, CameraSymbology> = { QRCode: 'qr', DataMatrix: 'datamatrix', Code128: 'code128' };

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
  const options = {
    formats: Object.keys(FORMATS),
    tryHarder: true,
    tryRotate: true,
    tryInvert: false, // labels are dark on light
    tryDownscale: true,
    maxNumberOfSymbols: 8,
  };
  return {
    name: 'zxing-wasm',
    async decode(p: Pixels) {
      const results = await zxing.readBarcodes({ width: p.width, height: p.height, data: toRgba(p) }, options);
      return results.flatMap((r) => {
        const format = FORMATS[r.format];
        return r.isValid && format ? [{ text: r.text, symbology: r.symbologyIdentifier || null, format }] : [];
      });
    },
  };
}
