import { mkdtempSync, mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CliIo } from '../../../src/cli/io.js';

/** An in-memory terminal: what main() prints, and what it reads. */
export function testIo(opts: { stdin?: string; secrets?: Array<string | null>; tty?: boolean } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const secrets = [...(opts.secrets ?? [])];
  const io: CliIo = {
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    readStdin: async () => opts.stdin ?? '',
    readSecret: async () => {
      if (secrets.length > 0) return secrets.shift() ?? null;
      return opts.stdin === undefined ? null : opts.stdin.replace(/\r?\n$/, '');
    },
    stdinIsTty: opts.tty ?? false,
  };
  return { io, stdout: () => out.join(''), stderr: () => err.join('') };
}

export function tempDir(prefix = 'pk-cli-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** A minimal valid config file in `dir`, its data dir beside it. */
export function writeConfig(dir: string, extra: Record<string, unknown> = {}): string {
  const file = path.join(dir, 'kiosk.json');
  writeFileSync(file, JSON.stringify({ kioskId: 'kiosk-1', dataDir: './data', ...extra }, null, 2));
  return file;
}

/** Puts raw key seeds where loadIdentity looks for them. */
export function writeKeys(dataDir: string, seeds: { ed25519: string; x25519: string }): void {
  const dir = path.join(dataDir, 'keys');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const [name, hex] of Object.entries(seeds)) {
    const f = path.join(dir, `${name}.key`);
    writeFileSync(f, `${hex}\n`, { mode: 0o600 });
    chmodSync(f, 0o600);
  }
}
