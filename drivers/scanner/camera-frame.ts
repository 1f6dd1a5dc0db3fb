import { PNG } from 'pngjs';

/**
 * Camera frames as the decoders take them. A frame is raw pixels (greyscale,
 * one byte per pixel, or RGBA, four) or a PNG file's bytes (POST /sim/scan
 * sends `{ "png": base64 }`). Everything is checked before a decoder sees it:
 * sizes that do not add up and files that are not PNG become a
 * CameraFrameError with the reason, never a crash or a huge allocation.
 */

/** Raw pixels: `data` is width*height bytes (grey) or width*height*4 (RGBA), row by row. */
export interface PixelFrame {
  width: number;
  height: number;
  data: Uint8Array;
}

/** A frame to decode: raw pixels, or the bytes of a PNG file. */
export type CameraFrame = PixelFrame | Uint8Array;

/** Checked pixels, with the channel count known. */
export interface Pixels {
  width: number;
  height: number;
  channels: 1 | 4;
  data: Uint8Array;
}

/** A frame that cannot be decoded at all (as opposed to one with no symbol in it). */
export class CameraFrameError extends Error {
  override readonly name = 'CameraFrameError';
}

/** Larger than any camera a kiosk uses (4K); refuses absurd sizes before allocating. */
export const MAX_FRAME_PIXELS = 3840 * 2160;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function checkSize(width: number, height: number, what: string): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new CameraFrameError(`${what}: width and height must be positive integers (got ${width}×${height})`);
  }
  if (width * height > MAX_FRAME_PIXELS) {
    throw new CameraFrameError(`${what}: ${width}×${height} is larger than the ${MAX_FRAME_PIXELS} pixels allowed`);
  }
}

/** Checks a frame and decodes a PNG. Throws CameraFrameError only. */
export function toPixels(frame: CameraFrame): Pixels {
  if (frame instanceof Uint8Array) return decodePng(frame);
  const { width, height, data } = frame;
  checkSize(width, height, 'camera frame');
  if (!(data instanceof Uint8Array)) throw new CameraFrameError('camera frame: data must be a Uint8Array');
  if (data.length === width * height) return { width, height, channels: 1, data };
  if (data.length === width * height * 4) return { width, height, channels: 4, data };
  throw new CameraFrameError(
    `camera frame: ${data.length} bytes fit neither greyscale (${width * height}) nor RGBA (${width * height * 4}) for ${width}×${height}`,
  );
}

function decodePng(bytes: Uint8Array): Pixels {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 33 || !buf.subarray(0, 8).equals(PNG_SIGNATURE) || buf.toString('latin1', 12, 16) !== 'IHDR') {
    throw new CameraFrameError('camera frame: not a PNG image (the bytes do not start with a PNG signature and header)');
  }
  // Read the size from the header first, so a forged header cannot make us allocate gigabytes.
  checkSize(buf.readUInt32BE(16), buf.readUInt32BE(20), 'PNG image');
  let png: PNG;
  try {
    png = PNG.sync.read(buf);
  } catch (e) {
    throw new CameraFrameError(`camera frame: PNG could not be decoded (${(e as Error).message})`);
  }
  return { width: png.width, height: png.height, channels: 4, data: png.data };
}

/** Greyscale luminance, one byte per pixel (the same weights zxing-cpp uses). */
export function toGrey(p: Pixels): Uint8Array {
  if (p.channels === 1) return p.data;
  const n = p.width * p.height;
  const out = new Uint8Array(n);
  const d = p.data;
  for (let i = 0, j = 0; i < n; i++, j += 4) out[i] = (306 * d[j] + 601 * d[j + 1] + 117 * d[j + 2] + 512) >> 10;
  return out;
}

/** RGBA, four bytes per pixel. */
export function toRgba(p: Pixels): Uint8Array {
  if (p.channels === 4) return p.data;
  const n = p.width * p.height;
  const out = new Uint8Array(n * 4);
  const d = p.data;
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    const v = d[i];
    out[j] = v;
    out[j + 1] = v;
    out[j + 2] = v;
    out[j + 3] = 255;
  }
  return out;
}

/** The symbologies the kiosk reads from a camera: 2D slips, and the 1D codes on parcel labels. */
export type CameraSymbology = 'qr' | 'datamatrix' | 'code128' | 'itf' | 'code39' | 'ean13' | 'ean8';

/** The 1D ones (read at any angle through level strips: camera-orient.ts). */
export const LINEAR_SYMBOLOGIES: readonly CameraSymbology[] = ['code128', 'itf', 'code39', 'ean13', 'ean8'];

export interface FoundSymbol {
  text: string;
  symbology: string | null;
  format: CameraSymbology;
}

/** A decoder backend: zxing-cpp compiled to WebAssembly, or the pure-JS @zxing/library. */
export interface FrameDecoder {
  readonly name: 'zxing-wasm' | 'zxing-js';
  /** Every symbol found in a whole frame. Resolves [] when there is none; never rejects for a frame's content. */
  decode(pixels: Pixels): Promise<FoundSymbol[]>;
  /** 1D symbols in a level strip cut from a frame (bars upright): the quick path for rotated labels. */
  decodeLinear(strip: Pixels): Promise<FoundSymbol[]>;
}
