import { beforeAll, describe, expect, it } from 'vitest';
import { decodeFrame, pickDecoder, type FrameDecoder } from '../../../drivers/scanner/camera.js';
import type { CameraSymbology } from '../../../drivers/scanner/camera-frame.js';
import { cutStrip, findBarRegions } from '../../../drivers/scanner/camera-orient.js';
import { composeFrame, renderLabel, type GreyImage } from '../../../drivers/scanner/camera-synth.js';
import { createWasmDecoder } from '../../../drivers/scanner/camera-wasm.js';

/** What each label carries, and the text a reader gives back (EAN-13 adds its check digit). */
/** Pixels per module: EAN needs 3 (at 2 zxing misreads it, see docs/drivers/camera.md). */
const LABELS: Array<{ kind: CameraSymbology; text: string; reads: string; aim: RegExp; scale: number }> = [
  { kind: 'code128', text: 'T-2026-11-0001', reads: 'T-2026-11-0001', aim: /^\]C0$/, scale: 2 },
  { kind: 'itf', text: '12345678901234', reads: '12345678901234', aim: /^\]I[0-9]$/, scale: 2 },
  { kind: 'code39', text: 'PARCEL-0042', reads: 'PARCEL-0042', aim: /^\]A[0-9]$/, scale: 2 },
  { kind: 'ean13', text: '490123456789', reads: '4901234567894', aim: /^\]E0$/, scale: 3 },
];

let wasm: FrameDecoder;
const labels = new Map<CameraSymbology, GreyImage>();

beforeAll(async () => {
  wasm = await createWasmDecoder();
  for (const l of LABELS) labels.set(l.kind, await renderLabel(l.kind, l.text, l.scale));
});

function frame(kind: CameraSymbology, angleDeg: number, seed: number): GreyImage {
  return composeFrame(labels.get(kind)!, { width: 640, height: 480, angleDeg, seed });
}

describe('1D labels at any angle (zxing-wasm)', () => {
  it('Code 128 reads at every 30° step round the circle and at the awkward angles between', async () => {
    const angles = [0, 12, 30, 45, 60, 78, 90, 120, 150, 180, 200, 225, 240, 270, 300, 330, 359];
    const missed: number[] = [];
    for (const a of angles) {
      const reads = await decodeFrame(frame('code128', a, 500 + a), { decoder: wasm });
      if (!reads.some((r) => r.text === 'T-2026-11-0001' && r.symbology === ']C0')) missed.push(a);
    }
    expect(missed).toEqual([]);
  });

  for (const l of LABELS.slice(1)) {
    it(`${l.kind} reads rotated 0°, 25°, 70°, 135°, 210° and 315°, and nothing else`, async () => {
      const missed: number[] = [];
      for (const a of [0, 25, 70, 135, 210, 315]) {
        const reads = await decodeFrame(frame(l.kind, a, 900 + a), { decoder: wasm });
        if (reads.length !== 1 || reads[0].text !== l.reads || !l.aim.test(reads[0].symbology ?? '')) missed.push(a);
      }
      expect(missed).toEqual([]);
    });
  }

  it('a frame with two labels at different angles gives both', async () => {
    // Code 128 on the left 400 px, EAN-13 on the right 240 px.
    const left = composeFrame(labels.get('code128')!, { width: 400, height: 480, angleDeg: 40, seed: 7 });
    const right = composeFrame(labels.get('ean13')!, { width: 240, height: 480, angleDeg: 100, seed: 8 });
    const both = new Uint8Array(640 * 480);
    for (let y = 0; y < 480; y++) {
      both.set(left.data.subarray(y * 400, y * 400 + 400), y * 640);
      both.set(right.data.subarray(y * 240, y * 240 + 240), y * 640 + 400);
    }
    const reads = await decodeFrame({ width: 640, height: 480, data: both }, { decoder: wasm });
    expect(reads.map((r) => r.text).sort()).toEqual(['4901234567894', 'T-2026-11-0001']);
  });

  it('finds the label region and its angle: the cut strip is level', () => {
    const f = frame('code128', 33, 3);
    const [region] = findBarRegions(f.data, f.width, f.height);
    // The scan direction runs across the bars: the label's own angle, modulo 180°.
    const deg = ((region.angle * 180) / Math.PI + 180) % 180;
    expect(Math.abs(deg - 33)).toBeLessThan(6); // a strip reads within about ±10° of level
    const strip = cutStrip(f.data, f.width, f.height, region);
    expect(strip.width).toBeGreaterThan(396); // the whole label length and its quiet zones
    expect(strip.height).toBeLessThan(strip.width);
  });

  it('plain background and noise give no region and no read', async () => {
    const blank = { width: 640, height: 480, data: Uint8Array.from({ length: 640 * 480 }, (_, i) => 170 + ((i * 7919) % 23)) };
    expect(findBarRegions(blank.data, 640, 480)).toEqual([]);
    expect(await decodeFrame(blank, { decoder: wasm })).toEqual([]);
  });
});

describe('1D labels at any angle (@zxing/library fallback)', () => {
  it('reads Code 128 at 30° and 200° through the level strips', async () => {
    const js = await pickDecoder(() => Promise.reject(new Error('wasm missing')));
    for (const a of [30, 200]) {
      expect((await decodeFrame(frame('code128', a, 40 + a), { decoder: js })).map((r) => r.text)).toContain('T-2026-11-0001');
    }
  });
});
