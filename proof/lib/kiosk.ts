/**
 * A kiosk as a separate process: the built binary (`bin/pickup-kiosk.js
 * start`) with its config and data directory in a temp folder, simulated
 * devices, driven only through the stable /sim HTTP calls (sim-control.md).
 * kill9() is a power cut; start() again is the reboot.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, writeFileSync, type WriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { procRssMiB } from './mosquitto.js';

export function packageRootDir(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(d, 'package.json')) && dirname(d) !== d) d = dirname(d);
  return d;
}

export interface Screen {
  id: string;
  params?: Record<string, unknown>;
  text: string;
}

export interface SimState {
  compartments: Array<{ id: string; size: string; locked: boolean | null; doorOpen: boolean | null; unlockPulses: number }>;
  screen: Screen;
}

export interface KioskSetup {
  kioskId: string;
  dataDir: string;
  brokerUrl: string;
  trust: Record<string, string[]>;
  couriers: unknown[];
  compartments: number;
  /** Extra top-level config keys (policy, outbox …). */
  extra?: Record<string, unknown>;
}

/** Writes the kiosk's config file next to its data directory; returns its path. */
export function writeKioskConfig(dir: string, s: KioskSetup): string {
  const sizes = ['S', 'M', 'L'] as const;
  const compartments = Array.from({ length: s.compartments }, (_, i) => ({
    id: `${String.fromCharCode(65 + Math.floor(i / 99))}${String((i % 99) + 1).padStart(2, '0')}`,
    size: sizes[i % 3],
    channel: i + 1,
  }));
  const config = {
    kioskId: s.kioskId,
    dataDir: s.dataDir,
    log: { level: 'debug' },
    http: { host: '127.0.0.1', port: 0 },
    broker: { url: s.brokerUrl, reconnectMaxMs: 1000, keepaliveSeconds: 5 },
    trust: { sellers: s.trust },
    compartments,
    devices: { keypad: { driver: 'sim' }, scanner: { driver: 'sim' }, locks: { driver: 'sim' }, fingerprint: { driver: 'sim' }, card: { driver: 'sim' } },
    couriers: s.couriers,
    policy: { verification: 'online-then-offline', allowMode0: true, onlineTimeoutMs: 1500 },
    outbox: { retryStartMs: 200, retryMaxMs: 2000 },
    ...s.extra,
  };
  const path = join(dir, 'kiosk.json');
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

export class KioskProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private log: WriteStream;
  url = '';
  starts = 0;
  /** Extra node options for the kiosk process (a heap snapshot signal, say). */
  nodeArgs: string[] = [];
  /** Extra environment for the kiosk process. */
  env: Record<string, string> = {};

  constructor(
    readonly configPath: string,
    readonly dataDir: string,
    readonly logPath: string,
  ) {
    this.log = createWriteStream(logPath, { flags: 'a' });
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  rssMiB(): number {
    return this.pid === null ? 0 : procRssMiB(this.pid);
  }

  /**
   * Starts the binary; resolves with the page's address once the page is
   * served: its "kiosk page" log line, or the "running" line (which also
   * waits up to a few seconds for the broker: a kiosk serves people offline
   * before that, so a restart with the broker down is up at its page).
   */
  async start(timeoutMs = 30_000): Promise<void> {
    const bin = join(packageRootDir(), 'bin', 'pickup-kiosk.js');
    const child = spawn(process.execPath, [...this.nodeArgs, bin, 'start', '--config', this.configPath, '--data-dir', this.dataDir, '--http-port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...this.env },
    });
    this.child = child;
    this.starts++;
    this.exited = new Promise((r) => child.once('exit', () => r()));
    let out = '';
    const take = (b: Buffer): void => {
      out += b.toString();
      this.log.write(b);
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    const end = Date.now() + timeoutMs;
    for (;;) {
      const m = / — (http:\/\/127\.0\.0\.1:\d+\/?) — /.exec(out) ?? /"url":"(http:\/\/127\.0\.0\.1:\d+\/?)"[^\n]*"msg":"kiosk page"/.exec(out);
      if (m) {
        this.url = m[1];
        return;
      }
      if (child.exitCode !== null || Date.now() > end) throw new Error(`the kiosk did not start (exit ${child.exitCode}):\n${out.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Sends a signal (SIGUSR2 for a heap snapshot when started with --heapsnapshot-signal). */
  signal(sig: NodeJS.Signals): void {
    this.child?.kill(sig);
  }

  /** A power cut: SIGKILL, nothing flushed. */
  async kill9(): Promise<void> {
    const c = this.child;
    if (c === null) return;
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await this.exited;
    this.child = null;
  }

  /** A clean stop (SIGTERM); returns the exit code. */
  async stop(): Promise<number | null> {
    const c = this.child;
    if (c === null) return null;
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    await this.exited;
    this.child = null;
    return c.exitCode;
  }

  async close(): Promise<void> {
    await this.kill9();
    await new Promise<void>((r) => this.log.end(() => r()));
  }

  /** POST a JSON body to a /sim route; answers the status (0 when the kiosk is not there). */
  async post(path: string, body: unknown): Promise<number> {
    try {
      const r = await fetch(new URL(path, this.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
      await r.arrayBuffer();
      return r.status;
    } catch {
      return 0;
    }
  }

  async state(): Promise<SimState> {
    const r = await fetch(new URL('/sim/state', this.url), { signal: AbortSignal.timeout(10_000) });
    return (await r.json()) as SimState;
  }

  /** The kiosk's own gauges from GET /metrics (prom-client text), name → value; empty when it does not answer. */
  async metrics(): Promise<Map<string, number>> {
    const m = new Map<string, number>();
    let text = '';
    for (let i = 0; i < 3 && text === ''; i++) text = await this.page('/metrics');
    for (const line of text.split('\n')) {
      const x = /^([a-z_]+(?:\{[^}]*\})?) (-?[0-9.e+]+)$/.exec(line);
      if (x) m.set(x[1], Number(x[2]));
    }
    return m;
  }

  async page(path = '/'): Promise<string> {
    try {
      return await (await fetch(new URL(path, this.url), { signal: AbortSignal.timeout(10_000) })).text();
    } catch {
      return '';
    }
  }

  /**
   * Polls /sim/state until the screen is one of `ids`; returns it, or the last
   * one seen at the deadline. With `answers`, it also returns once the screen
   * has been one of those for `settleMs` on end: a refusal the kiosk has given
   * (it leaves it only for idle), which no waiting would turn into `ids`.
   */
  async waitScreen(ids: readonly string[], timeoutMs = 8000, answers: readonly string[] = [], settleMs = 1000): Promise<Screen> {
    const end = Date.now() + timeoutMs;
    let s = (await this.state()).screen;
    let answeredId = '';
    let answeredAt = 0;
    while (!ids.includes(s.id) && Date.now() < end) {
      if (!answers.includes(s.id)) answeredId = '';
      else if (answeredId !== s.id) [answeredId, answeredAt] = [s.id, Date.now()];
      else if (Date.now() - answeredAt >= settleMs) break;
      await new Promise((r) => setTimeout(r, 4));
      s = (await this.state()).screen;
    }
    return s;
  }

  keys(keys: string): Promise<number> {
    return this.post('/sim/keypad', { keys });
  }

  scan(text: string): Promise<number> {
    return this.post('/sim/scan', { text });
  }

  door(id: string, open: boolean): Promise<number> {
    return this.post(`/sim/door/${id}`, { open });
  }
}
