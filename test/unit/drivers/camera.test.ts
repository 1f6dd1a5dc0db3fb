import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CameraFrameError, decodeFrame, pickDecoder, type FrameDecoder } from '../../../drivers/scanner/camera.js';
import { CameraScanner } from '../../../drivers/scanner/camera-scanner.js';
import { composeFrame, encodePng, renderLabel, slipLikeText, type GreyImage } from '../../../drivers/scanner/camera-synth.js';
import { createWasmDecoder } from '../../../drivers/scanner/camera-wasm.js';
import type { ScanRead } from '../../../drivers/scanner/contract.js';
import { FakeClock } from '../../support/fake-clock.js';

const SLIP = slipLikeText(300, 7);
const TXN = 'T-2026-11-0001';

let wasm: FrameDecoder;
const fetchCalls: string[] = [];
const realFetch = globalThis.fetch;
let qr30: GreyImage;
let dm45: GreyImage;
let c128: GreyImage;
let qrUpright: GreyImage;

beforeAll(async () => {
  // The decoder must come from the package on disk: any network fetch fails the test.
  globalThis.fetch = ((input: string | URL | Request) => {
    fetchCalls.push(String(input instanceof Request ? input.url : input));
    return Promise.reject(new Error('no network in tests'));
  });
  wasm = await createWasmDecoder();
  const qr = await renderLabel('qr', SLIP, 1);
  qr30 = composeFrame(qr, { width: 640, height: 480, angleDeg: 30, zoom: 1.5, seed: 11 });
  qrUpright = composeFrame(qr, { width: 320, height: 320, angleDeg: 0, zoom: 1.5, seed: 3 });
  dm45 = composeFrame(await renderLabel('datamatrix', SLIP, 1), { width: 1280, height: 720, angleDeg: 45, zoom: 2, seed: 12 });
  c128 = composeFrame(await renderLabel('code128', TXN, 2), { width: 640, height: 480, angleDeg: 0, seed: 13 });
});

afterAll(() => {
  globalThis.fetch = realFetch;
});

function rgba(img: GreyImage): { width: number; height: number; data: Uint8Array } {
  const data = new Uint8Array(img.width * img.height * 4);
  img.data.forEach((v, i) => data.set([v, v, v, 255], i * 4));
  return { width: img.width, height: img.height, data };
}

async function frameError(p: Promise<unknown>): Promise<CameraFrameError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(CameraFrameError);
  return e as CameraFrameError;
}

describe('decodeFrame (zxing-wasm)', () => {
  it('loaded its wasm from disk, without any network fetch', () => {
    expect(wasm.name).toBe('zxing-wasm');
    expect(fetchCalls).toEqual([]);
  });

  it('reads a 300-character slip as QR from a 640×480 frame rotated 30°', async () => {
    expect(await decodeFrame(qr30, { decoder: wasm })).toEqual([{ text: SLIP, symbology: ']Q1' }]);
  });

  it('reads the slip as DataMatrix from a 1280×720 frame rotated 45°', async () => {
    const reads = await decodeFrame(dm45, { decoder: wasm });
    expect(reads).toEqual([{ text: SLIP, symbology: expect.stringMatching(/^\]d[0-9]$/) }]);
  });

  it('reads a txn as Code 128', async () => {
    expect(await decodeFrame(c128, { decoder: wasm })).toEqual([{ text: TXN, symbology: ']C0' }]);
  });

  it('takes RGBA pixels and PNG files as well as greyscale', async () => {
    expect(await decodeFrame(rgba(c128), { decoder: wasm })).toEqual([{ text: TXN, symbology: ']C0' }]);
    expect(await decodeFrame(encodePng(qr30), { decoder: wasm })).toEqual([{ text: SLIP, symbology: ']Q1' }]);
  });

  it('gives [] for a frame with no symbol', async () => {
    const blank = { width: 640, height: 480, data: Uint8Array.from({ length: 640 * 480 }, (_, i) => 170 + ((i * 7919) % 23)) };
    expect(await decodeFrame(blank, { decoder: wasm })).toEqual([]);
    expect(await decodeFrame({ width: 64, height: 48, data: new Uint8Array(64 * 48) }, { decoder: wasm })).toEqual([]);
  });
});

describe('bad frames', () => {
  it('rejects bytes that are not a PNG with a clear reason', async () => {
    expect((await frameError(decodeFrame(Buffer.from('hello, not an image')))).message).toMatch(/not a PNG image/);
  });

  it('rejects a truncated PNG with the decoder reason', async () => {
    const png = encodePng({ width: 32, height: 32, data: new Uint8Array(1024).fill(200) });
    expect((await frameError(decodeFrame(png.subarray(0, 60)))).message).toMatch(/PNG could not be decoded/);
  });

  it('refuses a PNG header claiming a huge image before allocating it', async () => {
    const png = Buffer.from(encodePng({ width: 8, height: 8, data: new Uint8Array(64) }));
    png.writeUInt32BE(100_000, 16);
    png.writeUInt32BE(100_000, 20);
    expect((await frameError(decodeFrame(png))).message).toMatch(/100000×100000 is larger than/);
  });

  it('rejects pixels whose length fits neither greyscale nor RGBA', async () => {
    const e = await frameError(decodeFrame({ width: 10, height: 10, data: new Uint8Array(150) }));
    expect(e.message).toMatch(/150 bytes fit neither greyscale \(100\) nor RGBA \(400\)/);
    await frameError(decodeFrame({ width: 0, height: 10, data: new Uint8Array(0) }));
  });

  it('never fails any other way on mutated PNG files', async () => {
    const png = encodePng(composeFrame(await renderLabel('qr', 'PKS1.x', 1), { width: 96, height: 96, angleDeg: 10, seed: 2 }));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 6 }), fc.nat(), async (flips, cut) => {
        const bytes = Buffer.from(png);
        for (const [at, x] of flips) bytes[at % bytes.length] ^= x;
        const input = cut % 3 === 0 ? bytes.subarray(0, cut % bytes.length) : bytes;
        const out = await decodeFrame(input, { decoder: wasm }).catch((e: unknown) => e);
        if (!(Array.isArray(out) || out instanceof CameraFrameError)) throw out;
      }),
      { numRuns: 300 },
    );
  });
});

describe('fallback decoder', () => {
  it('falls back to @zxing/library when the wasm cannot load, and still reads an upright QR and a Code 128', async () => {
    const js = await pickDecoder(() => Promise.reject(new Error('wasm missing')));
    expect(js.name).toBe('zxing-js');
    expect(await decodeFrame(qrUpright, { decoder: js })).toEqual([{ text: SLIP, symbology: ']Q1' }]);
    expect(await decodeFrame(c128, { decoder: js })).toEqual([{ text: TXN, symbology: ']C0' }]);
  });
});

describe('CameraScanner', () => {
  it('emits a label once while it stays in view, again after it was away, and reports bad frames', async () => {
    const clock = new FakeClock();
    const cam = new CameraScanner({ clock, decoder: wasm, repeatMs: 2000 });
    const reads: ScanRead[] = [];
    const errors: Error[] = [];
    cam.on('read', (r) => reads.push(r));
    cam.on('error', (e) => errors.push(e));
    await cam.open();
    await cam.submit(c128);
    clock.advance(500);
    expect(await cam.submit(c128)).toEqual([{ text: TXN, symbology: ']C0' }]);
    expect(reads).toEqual([{ text: TXN, symbology: ']C0' }]);
    clock.advance(2500);
    await cam.submit(c128);
    expect(reads.length).toBe(2);
    await expect(cam.submit(Buffer.from('junk'))).rejects.toBeInstanceOf(CameraFrameError);
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/not a PNG image/)]);
    await cam.close();
  });
});
