/**
 * Start-up and idle cost of the built binary (`pickup-kiosk start`), with the
 * default simulated config and with config/hil.json (real serial drivers
 * against the HIL rig's wire simulators on socat ptys; PC/SC left out):
 * median of 5 starts (spawn → both the "running" line, printed once the page
 * is served, and the "connected to the broker" line; the first of the 5 has
 * no code cache yet and is also printed on its own),
 * RSS after 5 s idle, CPU used over 10 s idle. The kiosk runs with the node
 * options and environment systemd/pickup-kiosk.service gives it. Printed beside the peer's
 * figures (Open-Locker edge client). Needs `npm run build` (npm run bench does it).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHilRig } from '../drivers/hil-rig.js';
import { packageRoot } from '../src/config/index.js';
import { unitEnvironment, unitNodeOptions } from './unit-file.js';

const PEER = { name: 'Open-Locker edge client', startMs: 207, rssMiB: 67 };
const TARGET = { startMs: 180, rssMiB: 60 };
const CLK_TCK = 100;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

function cpuTicks(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return Number(rest[11]) + Number(rest[12]); // utime + stime
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

interface Started {
  pid: number;
  readyMs: number;
  /** CPU time the process used until ready (ms): what start-up costs on an idle box. */
  cpuMs: number;
  stop(): Promise<void>;
}

/**
 * The environment systemd/pickup-kiosk.service gives the kiosk: this shell's, with the unit's Environment= (NODE_ENV, V8 flags), a
 * cache directory of its own (CacheDirectory=, where the binary keeps V8's code cache: empty before the
 * first start, as after an install or upgrade) and without node options the unit does not set.
 * NODE_EXTRA_CA_CERTS (set on some development machines) makes every node process read and parse a CA
 * bundle before the first line of code: ~50 ms CPU and ~2 MiB here.
 */
const LEFT_OUT = ['NODE_EXTRA_CA_CERTS', 'NODE_OPTIONS'] as const;

function unitEnv(cacheDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...unitEnvironment(), CACHE_DIRECTORY: cacheDir };
  for (const k of LEFT_OUT) delete env[k];
  return env;
}

async function startOnce(configPath: string, cacheDir: string): Promise<Started> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [...unitNodeOptions(), join(packageRoot(), 'bin/pickup-kiosk.js'), 'start', '--config', configPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: unitEnv(cacheDir),
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (b: Buffer): void => {
      out += b.toString();
      // Ready: the page is served ("running") and the link connected to the broker (its own line).
      if (/pickup-kiosk \S+ running/.test(out) && /pickup-kiosk \S+ connected to the broker/.test(out)) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.once('exit', (code) => reject(new Error(`exited ${code} before ready:\n${out}`)));
  });
  const readyMs = performance.now() - t0;
  const cpuMs = (cpuTicks(child.pid!) * 1000) / CLK_TCK;
  return {
    pid: child.pid!,
    readyMs,
    cpuMs,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function measure(label: string, configPath: string, cacheDir: string): Promise<void> {
  const starts: Started[] = [];
  for (let i = 0; i < 5; i++) {
    const s = await startOnce(configPath, cacheDir);
    starts.push(s);
    if (i < 4) await s.stop();
  }
  const last = starts[4];
  await new Promise((r) => setTimeout(r, 5000));
  const rss = rssMiB(last.pid);
  const c0 = cpuTicks(last.pid);
  await new Promise((r) => setTimeout(r, 10_000));
  const idleCpu = ((cpuTicks(last.pid) - c0) / CLK_TCK / 10) * 100;
  await last.stop();
  const ready = median(starts.map((s) => s.readyMs));
  const cpu = median(starts.map((s) => s.cpuMs));
  console.log(
    `${label.padEnd(18)} start→ready median ${ready.toFixed(0)} ms (CPU ${cpu.toFixed(0)} ms)   RSS after 5 s idle ${rss.toFixed(1)} MiB   idle CPU ${idleCpu.toFixed(2)} %`,
  );
  const first = starts[0];
  console.log(`${''.padEnd(18)} the first start (no code cache yet) ${first.readyMs.toFixed(0)} ms (CPU ${first.cpuMs.toFixed(0)} ms); all: ${starts.map((s) => s.readyMs.toFixed(0)).join(', ')} ms`);
}

export async function run(): Promise<void> {
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`machine load average ${load} (wall times stretch with load; CPU ms does much less)`);
  const dropped = LEFT_OUT.filter((k) => process.env[k] !== undefined);
  console.log(
    `the kiosk runs as systemd/pickup-kiosk.service starts it: node ${[...unitNodeOptions(), 'bin/pickup-kiosk.js'].join(' ')} start, ${Object.entries(unitEnvironment())
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}${dropped.length ? `, without ${dropped.join(' and ')} (set in this shell)` : ''}`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'pk-bench-start-'));
  const rig = await startHilRig(join(dir, 'rig'));
  try {
    const root = packageRoot();
    const base = JSON.parse(readFileSync(join(root, 'config/default.json'), 'utf8')) as Record<string, unknown>;
    const sim = join(dir, 'sim.json');
    writeFileSync(sim, JSON.stringify({ ...base, dataDir: join(dir, 'sim-data'), demo: { parcels: 0 }, http: { host: '127.0.0.1', port: 0 }, log: { level: 'warn' } }));
    const hilBase = JSON.parse(readFileSync(join(root, 'config/hil.json'), 'utf8')) as { devices: Record<string, Record<string, unknown>> } & Record<string, unknown>;
    const hil = join(dir, 'hil.json');
    writeFileSync(
      hil,
      JSON.stringify({
        ...hilBase,
        dataDir: join(dir, 'hil-data'),
        devices: {
          ...hilBase.devices,
          keypad: { ...hilBase.devices.keypad, path: rig.paths.keypad },
          scanner: { ...hilBase.devices.scanner, path: rig.paths.scanner },
          locks: { ...hilBase.devices.locks, path: rig.paths.locks },
          fingerprint: { ...hilBase.devices.fingerprint, path: rig.paths.fingerprint },
          card: null,
        },
      }),
    );
    await measure('default (sim)', sim, join(dir, 'sim-cache'));
    await measure('config/hil.json', hil, join(dir, 'hil-cache'));
    console.log(`${PEER.name.padEnd(18)} start→ready ${PEER.startMs} ms   RSS ${PEER.rssMiB} MiB (their published figures)`);
    console.log(`target             start→ready ≤ ${TARGET.startMs} ms   RSS ≤ ${TARGET.rssMiB} MiB`);
  } finally {
    await rig.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
