import bwipjs from 'bwip-js';
import { PNG } from 'pngjs';
import type { CameraSymbology, PixelFrame } from './camera-frame.js';

/**
 * Camera-like frames made from text: a label printed by bwip-js, stuck on a
 * grey, uneven background, rotated, with sensor noise. The `sim` mode uses it
 * to push a slip through the camera path (POST /sim/scan with a PNG), and the
 * camera tests and benchmark use it instead of stored photos.
 */

/** A greyscale image, one byte per pixel. */
export type GreyImage = PixelFrame;

const BCID: Record<CameraSymbology, string> = {
  qr: 'qrcode',
  datamatrix: 'datamatrix',
  code128: 'code128',
  itf: 'interleaved2of5',
  code39: 'code39',
  ean13: 'ean13',
  ean8: 'ean8',
};
const LINEAR = new Set<CameraSymbology>(['code128', 'itf', 'code39', 'ean13', 'ean8']);

/**
 * Prints `text` as a label: dark modules on white paper with a quiet zone.
 * `scale` is pixels per module; `barHeightMm` sets a 1D symbol's height.
 */
export async function renderLabel(kind: CameraSymbology, text: string, scale: number, barHeightMm = 12): Promise<GreyImage> {
  const png = await bwipjs.toBuffer({
    bcid: BCID[kind],
    text,
    scale,
    ...(LINEAR.has(kind) ? { height: barHeightMm } : kind === 'qr' ? { eclevel: 'M' } : {}),
    ...(kind === 'ean13' || kind === 'ean8' ? { includetext: false } : {}),
    paddingwidth: kind === 'qr' ? 4 : 10,
    paddingheight: kind === 'qr' ? 4 : 6,
    backgroundcolor: 'FFFFFF',
  });
  const img = PNG.sync.read(png);
  const data = new Uint8Array(img.width * img.height);
  for (let i = 0; i < data.length; i++) data[i] = img.data[i * 4]!; // black-on-white: red is enough
  return { width: img.width, height: img.height, data };
}

export interface FrameOptions {
  width: number;
  height: number;
  /** In-plane rotation of the label, degrees. */
  angleDeg: number;
  /** Seeds the placement, background and noise (same seed, same frame). */
  seed: number;
  /** Label magnification (1: as printed). Lets a module span a fractional number of pixels, as in a camera. */
  zoom?: number;
  /** Sensor noise amplitude in grey levels. */
  noise?: number;
}

/** mulberry32: a small seeded PRNG so frames are reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Places `label` in a frame, rotated about its centre at a seeded position
 * that keeps it whole, sampled bilinearly (the softened edges a lens gives),
 * on a shaded background with noise. Ink is ~35, paper ~220.
 */
export function composeFrame(label: GreyImage, o: FrameOptions): GreyImage {
  const rnd = prng(o.seed);
  const { width: W, height: H } = o;
  const a = (o.angleDeg * Math.PI) / 180;
  const zoom = o.zoom ?? 1;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  const halfW = ((Math.abs(label.width * cos) + Math.abs(label.height * sin)) * zoom) / 2;
  const halfH = ((Math.abs(label.width * sin) + Math.abs(label.height * cos)) * zoom) / 2;
  if (halfW * 2 > W || halfH * 2 > H) {
    throw new Error(`label ${label.width}×${label.height} ×${zoom} at ${o.angleDeg}° does not fit ${W}×${H}`);
  }
  const cx = halfW + rnd() * (W - 2 * halfW);
  const cy = halfH + rnd() * (H - 2 * halfH);
  const shadeX = (rnd() - 0.5) * 60;
  const shadeY = (rnd() - 0.5) * 60;
  const noise = o.noise ?? 6;
  const lw = label.width;
  const lh = label.height;
  const ld = label.data;
  const out = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const bg = 150 + (shadeX * x) / W + (shadeY * y) / H;
      // Inverse rotation and zoom: frame pixel -> label coordinates.
      const dx = x - cx;
      const dy = y - cy;
      const u = (cos * dx + sin * dy) / zoom + lw / 2 - 0.5;
      const v = (-sin * dx + cos * dy) / zoom + lh / 2 - 0.5;
      let value = bg;
      if (u > -1 && v > -1 && u < lw && v < lh) {
        const x0 = Math.floor(u);
        const y0 = Math.floor(v);
        const fx = u - x0;
        const fy = v - y0;
        const px = (xx: number, yy: number): number =>
          xx < 0 || yy < 0 || xx >= lw || yy >= lh ? -1 : 35 + (ld[yy * lw + xx] / 255) * 185;
        const p00 = px(x0, y0);
        const p10 = px(x0 + 1, y0);
        const p01 = px(x0, y0 + 1);
        const p11 = px(x0 + 1, y0 + 1);
        const sample = (p: number): number => (p < 0 ? bg : p);
        value =
          sample(p00) * (1 - fx) * (1 - fy) + sample(p10) * fx * (1 - fy) + sample(p01) * (1 - fx) * fy + sample(p11) * fx * fy;
      }
      value += (rnd() - 0.5) * 2 * noise;
      out[y * W + x] = value < 0 ? 0 : value > 255 ? 255 : Math.round(value);
    }
  }
  return { width: W, height: H, data: out };
}

/** A greyscale image as a PNG file (what POST /sim/scan carries). */
export function encodePng(img: GreyImage): Buffer {
  const png = new PNG({ width: img.width, height: img.height });
  for (let i = 0; i < img.data.length; i++) {
    const v = img.data[i];
    png.data[i * 4] = v;
    png.data[i * 4 + 1] = v;
    png.data[i * 4 + 2] = v;
    png.data[i * 4 + 3] = 255;
  }
  return PNG.sync.write(png);
}

/** Text shaped like a PKS1 slip (base64url after `PKS1.`), `length` characters, seeded. */
export function slipLikeText(length = 300, seed = 1): string {
  const rnd = prng(seed);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let s = 'PKS1.';
  while (s.length < length) s += alphabet[Math.floor(rnd() * 64)];
  return s;
}
