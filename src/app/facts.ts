/** Facts about the running kiosk for its status, metrics and diagnostics. */
import { createHash } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot, type Config } from '../config/index.js';

let cachedVersion: string | null = null;

/** The package version (read once). */
export function kioskVersion(): string {
  if (cachedVersion === null) {
    try {
      cachedVersion = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      cachedVersion = '0.0.0';
    }
  }
  return cachedVersion;
}

/** A short fingerprint of the config in force (which file a kiosk runs is visible in its status). */
export function configHash(config: Config): string {
  return createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 12);
}

let cachedZone: string | null = null;

/**
 * The machine's time zone, read from the /etc/localtime link as ICU reads it,
 * without loading ICU's zone data at start (about 6 MiB of memory). With TZ set,
 * or no such link, Intl answers.
 */
export function systemTimeZone(env: NodeJS.ProcessEnv = process.env): string {
  if (cachedZone !== null) return cachedZone;
  let zone: string | undefined;
  if (env.TZ === undefined) {
    try {
      zone = /\/zoneinfo\/([A-Za-z0-9_+-]+(?:\/[A-Za-z0-9_+-]+)*)$/.exec(readlinkSync('/etc/localtime'))?.[1];
    } catch {
      zone = undefined;
    }
  }
  cachedZone = zone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  return cachedZone;
}
