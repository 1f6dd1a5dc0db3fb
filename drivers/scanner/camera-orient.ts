/**
 * Finding 1D barcodes at any angle. A 1D reader scans along rows, so it reads
 * a barcode only while one row crosses every bar: within about 10° of level
 * for a typical label. Here the frame is searched for barcode-like regions
 * (many strong edges all facing one way), and each is cut out turned level,
 * so the reader sees an upright strip whatever the label's angle.
 *
 * The search works on 16×16-pixel cells: each cell's gradient structure
 * tensor gives how strong its edges are and how much they agree in direction.
 * Bars make strong, agreeing edges; text and background do not. Neighbouring
 * barcode cells facing the same way are grouped, and each group's extent
 * along and across the bars gives the strip to cut.
 */

const CELL = 16;
/** Mean squared gradient a cell needs (grey levels², central differences): printed bars give thousands. */
const MIN_ENERGY = 300;
/** How much a cell's edges must agree in direction (0: none, 1: all one way). */
const MIN_COHERENCE = 0.75;
/** Cells of one group face the same way within this (radians, on the doubled angle). */
const MAX_TURN = (20 * Math.PI) / 180;
const MIN_CELLS = 4;

/** A barcode-like region: its centre, the scan direction (across the bars) and its half extents. */
export interface BarRegion {
  cx: number;
  cy: number;
  /** Direction across the bars, radians in (-π/2, π/2]. */
  angle: number;
  /** Half its length along `angle` and half its width across it, pixels. */
  halfLength: number;
  halfWidth: number;
  /** Sum of its cells' edge energy (the strongest region first). */
  weight: number;
}

interface Cell {
  x: number;
  y: number;
  /** Doubled-angle gradient orientation vector, weighted by energy. */
  c: number;
  s: number;
  energy: number;
}

/** Barcode-like regions of a greyscale frame, strongest first, at most `max`. */
export function findBarRegions(grey: Uint8Array, width: number, height: number, max = 4): BarRegion[] {
  const cols = Math.floor(width / CELL);
  const rows = Math.floor(height / CELL);
  const cells: Array<Cell | null> = new Array<Cell | null>(cols * rows).fill(null);
  for (let cy = 0; cy < rows; cy++) {
    for (let cx = 0; cx < cols; cx++) {
      let jxx = 0;
      let jyy = 0;
      let jxy = 0;
      let n = 0;
      const y0 = Math.max(1, cy * CELL);
      const y1 = Math.min(height - 1, cy * CELL + CELL);
      const x0 = Math.max(1, cx * CELL);
      const x1 = Math.min(width - 1, cx * CELL + CELL);
      // Every other pixel: bars are at least 2 px wide, so the edges are still seen.
      for (let y = y0; y < y1; y += 2) {
        const row = y * width;
        for (let x = x0; x < x1; x += 2) {
          const i = row + x;
          const gx = grey[i + 1] - grey[i - 1];
          const gy = grey[i + width] - grey[i - width];
          jxx += gx * gx;
          jyy += gy * gy;
          jxy += gx * gy;
          n++;
        }
      }
      if (n === 0) continue;
      const energy = (jxx + jyy) / n;
      if (energy < MIN_ENERGY) continue;
      const c = jxx - jyy;
      const s = 2 * jxy;
      const coherence = Math.sqrt(c * c + s * s) / (jxx + jyy);
      if (coherence < MIN_COHERENCE) continue;
      const norm = Math.sqrt(c * c + s * s);
      cells[cy * cols + cx] = { x: cx, y: cy, c: (c / norm) * energy, s: (s / norm) * energy, energy };
    }
  }
  const regions: BarRegion[] = [];
  const seen = new Uint8Array(cols * rows);
  for (let start = 0; start < cells.length; start++) {
    const first = cells[start];
    if (!first || seen[start]) continue;
    // Flood fill over 8-neighbours facing the same way as the group so far.
    const group: Cell[] = [];
    let sc = 0;
    let ss = 0;
    const stack = [start];
    seen[start] = 1;
    while (stack.length > 0) {
      const k = stack.pop()!;
      const cell = cells[k]!;
      group.push(cell);
      sc += cell.c;
      ss += cell.s;
      const dir = Math.atan2(ss, sc);
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = cell.x + dx;
          const ny = cell.y + dy;
          if (nx < 0 || ny < 0 || nx >= cols || ny >= rows) continue;
          const nk = ny * cols + nx;
          const other = cells[nk];
          if (!other || seen[nk]) continue;
          let turn = Math.abs(Math.atan2(other.s, other.c) - dir);
          if (turn > Math.PI) turn = 2 * Math.PI - turn;
          if (turn > MAX_TURN) continue;
          seen[nk] = 1;
          stack.push(nk);
        }
      }
    }
    if (group.length < MIN_CELLS) continue;
    regions.push(regionOf(group, Math.atan2(ss, sc) / 2));
  }
  regions.sort((a, b) => b.weight - a.weight);
  return regions.slice(0, max);
}

function regionOf(group: Cell[], angle: number): BarRegion {
  const ux = Math.cos(angle);
  const uy = Math.sin(angle);
  let minU = Infinity;
  let maxU = -Infinity;
  let minV = Infinity;
  let maxV = -Infinity;
  let weight = 0;
  for (const cell of group) {
    const px = (cell.x + 0.5) * CELL;
    const py = (cell.y + 0.5) * CELL;
    const u = px * ux + py * uy;
    const v = -px * uy + py * ux;
    minU = Math.min(minU, u);
    maxU = Math.max(maxU, u);
    minV = Math.min(minV, v);
    maxV = Math.max(maxV, v);
    weight += cell.energy;
  }
  const mu = (minU + maxU) / 2;
  const mv = (minV + maxV) / 2;
  return {
    cx: mu * ux - mv * uy,
    cy: mu * uy + mv * ux,
    angle,
    halfLength: (maxU - minU) / 2 + CELL,
    halfWidth: (maxV - minV) / 2 + CELL / 2,
    weight,
  };
}

/**
 * The region cut out and turned so its scan direction runs along the rows:
 * a strip `2 × (halfLength + quiet)` long (quiet = a margin for the quiet
 * zones, 15% of the length plus two cells) and `2 × halfWidth` high, sampled
 * bilinearly; outside the frame reads as the nearest edge pixel.
 */
export function cutStrip(grey: Uint8Array, width: number, height: number, r: BarRegion): { width: number; height: number; data: Uint8Array } {
  const halfL = Math.ceil(r.halfLength * 1.15 + 2 * CELL);
  const halfW = Math.max(8, Math.ceil(r.halfWidth));
  const w = 2 * halfL;
  const h = 2 * halfW;
  const out = new Uint8Array(w * h);
  const ux = Math.cos(r.angle);
  const uy = Math.sin(r.angle);
  const maxX = width - 1;
  const maxY = height - 1;
  for (let j = 0; j < h; j++) {
    const v = j - halfW + 0.5;
    // Start of this output row in frame coordinates, then step along the scan direction.
    let x = r.cx + (-halfL + 0.5) * ux - v * uy;
    let y = r.cy + (-halfL + 0.5) * uy + v * ux;
    const o = j * w;
    for (let i = 0; i < w; i++, x += ux, y += uy) {
      const xc = x < 0 ? 0 : x > maxX ? maxX : x;
      const yc = y < 0 ? 0 : y > maxY ? maxY : y;
      const x0 = xc | 0;
      const y0 = yc | 0;
      const x1 = x0 < maxX ? x0 + 1 : x0;
      const y1 = y0 < maxY ? y0 + 1 : y0;
      const fx = xc - x0;
      const fy = yc - y0;
      const a = grey[y0 * width + x0] + (grey[y0 * width + x1] - grey[y0 * width + x0]) * fx;
      const b = grey[y1 * width + x0] + (grey[y1 * width + x1] - grey[y1 * width + x0]) * fx;
      out[o + i] = a + (b - a) * fy;
    }
  }
  return { width: w, height: h, data: out };
}
