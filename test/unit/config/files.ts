/** Config files written to a temp folder for the config tests, and what loading them says. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { ConfigError, loadConfig, type Config } from '../../../src/config/index.js';

/** The folder the files are written to (relative paths in them resolve against it). */
export const dir = mkdtempSync(path.join(tmpdir(), 'pk-config-'));
let n = 0;

/** Writes `content` (JSON, or a string as it is) to a new file; its path. */
export function file(content: unknown): string {
  const f = path.join(dir, `c${n++}.json`);
  writeFileSync(f, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return f;
}

/** The problems loading `content` reports (it must be refused). */
export function problems(content: unknown): string[] {
  try {
    loadConfig({ configPath: file(content) });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  throw new Error('expected the config to be refused');
}

/** The config loaded from a file with kiosk id `k1` and `extra`. */
export function load(extra: Record<string, unknown>): Config {
  return loadConfig({ configPath: file({ kioskId: 'k1', ...extra }) });
}
