/**
 * Camera decoding: time per frame and read rate for QR and DataMatrix (a
 * 300-character slip) and Code 128 (a txn), at 640×480 and 1280×720, rotated
 * 0°, 15°, 30°, 45°, for zxing-wasm (zxing-cpp) and @zxing/library (JS);
 * then the 1D labels (Code 128, ITF, Code 39, EAN-13) round the whole circle
 * at 640×480, and what finding and cutting the level strips costs.
 * Frames are generated (drivers/scanner/camera-synth.ts), the same frames for
 * both decoders. Prints figures; never passes or fails.
 *
 * BENCH_CAMERA_FRAMES sets frames per cell (default 3).
 */
import { decodeFrame } from '../drivers/scanner/camera.js';
import type { CameraSymbology, FrameDecoder, PixelFrame } from '../drivers/scanner/camera-frame.js';
import { toGrey } from '../drivers/scanner/camera-frame.js';
import { cutStrip, findBarRegions } from '../drivers/scanner/camera-orient.js';
import { composeFrame, encodePng, renderLabel, slipLikeText } from '../drivers/scanner/camera-synth.js';
import { createWasmDecoder } from '../drivers/scanner/camera-wasm.js';
import { createJsDecoder } from '../drivers/scanner/camera-zxing-js.js';

// 2D labels print at 2 px per module and are magnified into the frame: 3 px per module at VGA, 4 at 720p.
// Code 128 prints at 2 px per narrow bar: 2 px at VGA (a longer symbol would not fit), 3 at 720p.
const SIZES = [
  { width: 640, height: 480, zoom2d: 1.5, zoom1d: 1 },
  { width: 1280, height: 720, zoom2d: 2, zoom1d: 1.5 },
] as const;
const ANGLES = [0, 15, 30, 45] as const;
const KINDS: CameraSymbology[] = ['qr', 'datamatrix', 'code128'];
const TXN = 'T-2026-11-0001';

interface Cell {
  kind: CameraSymbology;
  size: string;
  angle: number;
  text: string;
  frames: PixelFrame[];
}

async function makeCells(perCell: number): Promise<Cell[]> {
  const slip = slipLikeText(300, 7);
  const cells: Cell[] = [];
  for (const s of SIZES) {
    for (const kind of KINDS) {
      const text = kind === 'code128' ? TXN : slip;
      const label = await renderLabel(kind, text, kind === 'code128' ? 2 : 1);
      const zoom = kind === 'code128' ? s.zoom1d : s.zoom2d;
      for (const angle of ANGLES) {
        const frames: PixelFrame[] = [];
        for (let i = 0; i < perCell; i++) {
          frames.push(composeFrame(label, { width: s.width, height: s.height, angleDeg: angle, zoom, seed: 1000 * angle + 17 * i + s.width }));
        }
        cells.push({ kind, size: `${s.width}x${s.height}`, angle, text, frames });
      }
    }
  }
  return cells;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export async function run(): Promise<void> {
  const perCell = Number(process.env.BENCH_CAMERA_FRAMES ?? 3);
  const decoders: FrameDecoder[] = [];
  let t0 = performance.now();
  try {
    decoders.push(await createWasmDecoder());
    console.log(`zxing-wasm loaded from disk in ${(performance.now() - t0).toFixed(0)} ms`);
  } catch (e) {
    console.log(`zxing-wasm did not load: ${(e as Error).message}`);
  }
  t0 = performance.now();
  decoders.push(createJsDecoder());
  console.log(`@zxing/library ready in ${(performance.now() - t0).toFixed(0)} ms`);

  t0 = performance.now();
  const cells = await makeCells(perCell);
  console.log(`${cells.length * perCell} frames generated in ${((performance.now() - t0) / 1000).toFixed(1)} s (${perCell} per cell, same frames for every decoder)`);

  // Warm up (JIT, wasm tiers) on one frame each, untimed.
  for (const d of decoders) await decodeFrame(cells[0].frames[0], { decoder: d });

  // Decoding runs on this thread, so process CPU time is the decoder's cost even when
  // other processes share the cores; wall time is what a person waits.
  const totals = new Map<string, { ok: number; n: number; wall: number[]; cpu: number[] }>();
  console.log('\ndecoder      symbol      frame     angle  read  wall ms (median/max)  cpu ms (median)');
  for (const cell of cells) {
    for (const d of decoders) {
      let ok = 0;
      const wall: number[] = [];
      const cpu: number[] = [];
      for (const f of cell.frames) {
        const c0 = process.cpuUsage();
        const t = performance.now();
        const reads = await decodeFrame(f, { decoder: d });
        wall.push(performance.now() - t);
        const c = process.cpuUsage(c0);
        cpu.push((c.user + c.system) / 1000);
        if (reads.some((r) => r.text === cell.text)) ok++;
      }
      const key = `${d.name} ${cell.kind} ${cell.size}`;
      const tot = totals.get(key) ?? { ok: 0, n: 0, wall: [], cpu: [] };
      tot.ok += ok;
      tot.n += cell.frames.length;
      tot.wall.push(...wall);
      tot.cpu.push(...cpu);
      totals.set(key, tot);
      console.log(
        `${d.name.padEnd(12)} ${cell.kind.padEnd(11)} ${cell.size.padEnd(9)} ${String(cell.angle).padStart(4)}°  ${ok}/${cell.frames.length}   ${median(wall).toFixed(1).padStart(8)} / ${Math.max(...wall).toFixed(1).padStart(6)}   ${median(cpu).toFixed(1).padStart(8)}`,
      );
    }
  }
  console.log('\nsummary over all angles');
  for (const [key, t] of totals) {
    console.log(`${key.padEnd(36)} read ${String(t.ok).padStart(2)}/${t.n}  wall median ${median(t.wall).toFixed(1)} ms  cpu median ${median(t.cpu).toFixed(1)} ms`);
  }

  await linearRoundTheCircle(decoders, perCell);

  // @zxing/library's DataMatrix detector grows a white rectangle out from the image centre:
  // give it the easiest case, a label filling a 360×360 view, to show what it can read.
  const slip = cells[0].text;
  const dmLabel = await renderLabel('datamatrix', slip, 1);
  console.log('\nDataMatrix filling a 360×360 view (label centred, 3 px/module)');
  for (const angle of ANGLES) {
    const frames = Array.from({ length: perCell }, (_, i) => composeFrame(dmLabel, { width: 360, height: 360, angleDeg: angle, zoom: 1.5, seed: 31 * i + angle }));
    const line: string[] = [];
    for (const d of decoders) {
      let ok = 0;
      for (const f of frames) if ((await decodeFrame(f, { decoder: d })).some((r) => r.text === slip)) ok++;
      line.push(`${d.name} ${ok}/${frames.length}`);
    }
    console.log(`  ${String(angle).padStart(2)}°  ${line.join('   ')}`);
  }

  // The PNG path (POST /sim/scan): PNG decode plus symbol decode, 640×480 QR at 0°.
  const frame = cells.find((c) => c.kind === 'qr' && c.size === '640x480' && c.angle === 0)!.frames[0];
  const png = encodePng(frame);
  for (const d of decoders) {
    const ms: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      await decodeFrame(png, { decoder: d });
      ms.push(performance.now() - t);
    }
    console.log(`PNG ${png.length} bytes 640x480 via ${d.name}: median ${median(ms).toFixed(1)} ms (PNG decode included)`);
  }
}

/** 1D labels at 640×480 every 45° (plus 20° and 70°, between the steps), and the strip search's own cost. */
async function linearRoundTheCircle(decoders: FrameDecoder[], perCell: number): Promise<void> {
  // EAN-13 at 2 px/module is misread by zxing (a wrong, check-digit-valid number); it is printed at 3 and at 2 to show both.
  const labels: Array<{ kind: CameraSymbology; text: string; reads: string; scale: number }> = [
    { kind: 'code128', text: TXN, reads: TXN, scale: 2 },
    { kind: 'itf', text: '12345678901234', reads: '12345678901234', scale: 2 },
    { kind: 'code39', text: 'PARCEL-0042', reads: 'PARCEL-0042', scale: 2 },
    { kind: 'ean13', text: '490123456789', reads: '4901234567894', scale: 3 },
    { kind: 'ean13', text: '490123456789', reads: '4901234567894', scale: 2 },
  ];
  const angles = [0, 20, 45, 70, 90, 135, 180, 225, 270, 315];
  console.log('\n1D labels at 640x480 round the circle (' + perCell + ' frames per angle)');
  console.log('decoder      symbol px/mod  read (all angles)  wrong  wall ms median/max  cpu ms median');
  const searchCpu: number[] = [];
  for (const l of labels) {
    const label = await renderLabel(l.kind, l.text, l.scale);
    const frames = angles.flatMap((a) => Array.from({ length: perCell }, (_, i) => composeFrame(label, { width: 640, height: 480, angleDeg: a, seed: 7 * a + 13 * i + 1 })));
    for (const d of decoders) {
      let ok = 0;
      let wrong = 0;
      const wall: number[] = [];
      const cpu: number[] = [];
      for (const f of frames) {
        const c0 = process.cpuUsage();
        const t = performance.now();
        const reads = await decodeFrame(f, { decoder: d });
        wall.push(performance.now() - t);
        const c = process.cpuUsage(c0);
        cpu.push((c.user + c.system) / 1000);
        if (reads.some((r) => r.text === l.reads)) ok++;
        if (reads.some((r) => r.text !== l.reads)) wrong++;
      }
      console.log(`${d.name.padEnd(12)} ${l.kind.padEnd(7)} ${l.scale}  ${String(ok).padStart(3)}/${frames.length}            ${String(wrong).padStart(3)}  ${median(wall).toFixed(1).padStart(6)} / ${Math.max(...wall).toFixed(1).padStart(6)}   ${median(cpu).toFixed(1).padStart(6)}`);
    }
    for (const f of frames) {
      const c0 = process.cpuUsage();
      const grey = toGrey({ ...f, channels: 1 });
      for (const r of findBarRegions(grey, f.width, f.height, 4)) cutStrip(grey, f.width, f.height, r);
      const c = process.cpuUsage(c0);
      searchCpu.push((c.user + c.system) / 1000);
    }
  }
  console.log(`finding and cutting the level strips (no decoding): cpu median ${median(searchCpu).toFixed(1)} ms, max ${Math.max(...searchCpu).toFixed(1)} ms per 640x480 frame`);
}
