/**
 * Looking for a secret in bytes: as itself, in hex, and in base64 and
 * base64url at each of the three alignments it can have inside a longer
 * encoded text (an envelope body, a JSON field, a BLOB).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function b64Stable(x: Buffer, align: number): string {
  const enc = Buffer.concat([Buffer.alloc(align), x]).toString('base64');
  const first = Math.ceil((8 * align) / 6);
  const last = Math.floor((8 * (align + x.length) - 6) / 6);
  return enc.slice(first, last + 1);
}

/** The forms a secret takes on disk or on a wire. */
export function needles(secret: Buffer): Buffer[] {
  const out = [secret, Buffer.from(secret.toString('hex')), Buffer.from(secret.toString('hex').toUpperCase())];
  for (let a = 0; a < 3; a++) {
    const s = b64Stable(secret, a);
    out.push(Buffer.from(s), Buffer.from(s.replace(/\+/g, '-').replace(/\//g, '_')));
  }
  return out;
}

export function contains(hay: Buffer, secret: Buffer): boolean {
  return needles(secret).some((n) => hay.includes(n));
}

/** Every regular file under a folder. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** file → contents, for files up to 256 MiB. */
export function readAll(files: readonly string[]): Map<string, Buffer> {
  const m = new Map<string, Buffer>();
  for (const f of files) if (statSync(f).size < 256 * 1024 * 1024) m.set(f, readFileSync(f));
  return m;
}
