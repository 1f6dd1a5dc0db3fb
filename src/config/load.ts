import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { crossChecks } from './checks.js';
import { ConfigError, formatProblem, jsonErrorProblem, problemsFromIssues, type Problem } from './report.js';
import { configSchema, type Config } from './schema.js';

/** Values from the command line that win over the file. Paths resolve against the current directory. */
export interface ConfigOverrides {
  dataDir?: string;
  kioskId?: string;
  /** Added to trust.sellers (a seller already in the file keeps its keys and gains this one). */
  trust?: Array<{ id: string; key: string }>;
  httpPort?: number;
  /** "embedded" or an mqtt:// / mqtts:// URL: replaces broker.url. */
  broker?: string;
}

export interface LoadConfigOptions {
  configPath?: string;
  overrides?: ConfigOverrides;
}

/**
 * The installation's root: the first folder above this module holding a
 * package.json, so it works from src/ (tests) and dist/src/ (built).
 */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

/** <package root>/config/default.json. */
export function defaultConfigPath(): string {
  return path.join(packageRoot(), 'config', 'default.json');
}

/**
 * Reads, validates and resolves the config. Throws ConfigError listing every
 * problem (unreadable file, bad JSON with line and column, each bad field).
 */
export function loadConfig(opts: LoadConfigOptions = {}): Config {
  const file = path.resolve(opts.configPath ?? defaultConfigPath());
  const label = opts.configPath ?? file;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(label, [`cannot read the file: ${readReason(e)}`]);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // Editors on some systems add a BOM.
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(label, [jsonErrorProblem(text, e)]);
  }
  const result = validateConfig(applyOverrides(raw, opts.overrides ?? {}), path.dirname(file));
  if (!result.ok) throw new ConfigError(label, result.problems);
  return result.config;
}

/**
 * Validates already-parsed JSON. Relative paths (dataDir, TLS files) resolve
 * against `baseDir`, the config file's folder.
 */
export function validateConfig(
  raw: unknown,
  baseDir: string,
): { ok: true; config: Config } | { ok: false; problems: string[] } {
  // Built for this check only: nothing keeps the schemas once it returns.
  const schema = configSchema();
  const parsed = schema.safeParse(raw, { reportInput: true });
  const rawDevices = isObject(raw) ? raw.devices : undefined;
  const devices = schema.shape.devices._zod.def.innerType.safeParse(rawDevices);
  const problems: Problem[] = [
    ...(parsed.success ? [] : problemsFromIssues(parsed.error.issues)),
    ...crossChecks(raw, devices.success ? devices.data.locks : undefined),
  ];
  // Report in the file's order of sections, so a cross-field problem sits beside its section's others.
  const order = Object.keys(schema.shape);
  const rank = (p: Problem): number => {
    const i = order.indexOf(String(p.path[0]));
    return i < 0 ? order.length : i;
  };
  const lines = problems.sort((a, b) => rank(a) - rank(b)).map(formatProblem);
  if (!parsed.success || lines.length > 0) return { ok: false, problems: lines };
  const c = parsed.data;
  c.dataDir = path.resolve(baseDir, c.dataDir);
  const b = c.broker;
  if (b.ca !== undefined) b.ca = path.resolve(baseDir, b.ca);
  if (b.cert !== undefined) b.cert = path.resolve(baseDir, b.cert);
  if (b.key !== undefined) b.key = path.resolve(baseDir, b.key);
  return { ok: true, config: c };
}

/** Puts command-line values into the raw JSON so the schema checks them like the file's own. */
function applyOverrides(raw: unknown, o: ConfigOverrides): unknown {
  if (!isObject(raw)) return raw; // The schema reports the top level; nothing to merge into.
  const out: Record<string, unknown> = { ...raw };
  if (o.kioskId !== undefined) out.kioskId = o.kioskId;
  if (o.dataDir !== undefined) out.dataDir = o.dataDir === '' ? '' : path.resolve(o.dataDir);
  if (o.httpPort !== undefined && (out.http === undefined || isObject(out.http))) {
    out.http = { ...asObject(out.http), port: o.httpPort };
  }
  if (o.broker !== undefined && (out.broker === undefined || isObject(out.broker))) {
    out.broker = { ...asObject(out.broker), url: o.broker };
  }
  if (o.trust !== undefined && o.trust.length > 0) {
    const trust = out.trust === undefined ? {} : out.trust;
    if (isObject(trust)) {
      const sellers = trust.sellers === undefined ? {} : trust.sellers;
      if (isObject(sellers)) {
        const merged: Record<string, unknown> = { ...sellers };
        for (const { id, key } of o.trust) {
          const have = merged[id];
          if (have === undefined) merged[id] = [key];
          else if (Array.isArray(have)) merged[id] = [...(have as unknown[]), key];
        }
        out.trust = { ...trust, sellers: merged };
      }
    }
  }
  return out;
}

function readReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file (give the right path with --config)';
  if (code === 'EACCES') return 'permission denied (the kiosk user must be able to read it)';
  if (code === 'EISDIR') return 'it is a folder, not a file';
  return e instanceof Error ? e.message : String(e);
}

function asObject(v: unknown): Record<string, unknown> {
  return isObject(v) ? v : {};
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
