/**
 * A private Mosquitto for one proof or one test file: its own config in a
 * temp folder, a free port on 127.0.0.1, no persistence; never the machine's
 * broker on 1883. stop() kills it (an outage, not a goodbye); start() brings
 * it back on the same port. cpuSeconds() reads its CPU time from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function findMosquitto(): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  for (const d of dirs) {
    const p = join(d, 'mosquitto');
    if (d !== '' && existsSync(p)) return p;
  }
  throw new Error('mosquitto is not installed: apt-get install mosquitto (the tests and the proof start private brokers of their own)');
}

export class Broker {
  private proc: ChildProcess | null = null;
  private stderr = '';
  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly bin: string,
  ) {}

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  get pid(): number | null {
    return this.proc?.pid ?? null;
  }

  /** Starts a broker on a free port (retries on another port if one was taken meanwhile). */
  static async start(extra: string[] = []): Promise<Broker> {
    const bin = findMosquitto();
    let last: unknown;
    for (let i = 0; i < 5; i++) {
      const dir = mkdtempSync(join(tmpdir(), 'pk-mosq-'));
      const b = new Broker(await freePort(), dir, bin);
      const conf = [`listener ${b.port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'log_dest stderr', 'log_type error', 'max_queued_messages 100000',
        // Without it Mosquitto's own replies wait on Nagle: ~40 ms per round trip instead of well under 1.
        'set_tcp_nodelay true', ...extra, ''];
      writeFileSync(join(dir, 'mosquitto.conf'), conf.join('\n'));
      try {
        await b.start();
        return b;
      } catch (e) {
        last = e;
        rmSync(dir, { recursive: true, force: true });
      }
    }
    throw last;
  }

  async start(): Promise<void> {
    if (this.proc !== null) return;
    this.stderr = '';
    const proc = spawn(this.bin, ['-c', join(this.dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.proc = proc;
    proc.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    let exited = false;
    proc.once('exit', () => {
      exited = true;
      if (this.proc === proc) this.proc = null;
    });
    const end = Date.now() + 5000;
    while (Date.now() < end && !exited) {
      if (await canConnect(this.port)) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    proc.kill('SIGKILL');
    this.proc = null;
    throw new Error(`mosquitto did not start on port ${this.port}: ${this.stderr.trim() || 'no output'}`);
  }

  async stop(): Promise<void> {
    const proc = this.proc;
    if (proc === null) return;
    this.proc = null;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGKILL');
    });
  }

  /** User + system CPU seconds the broker has used so far (Linux /proc). */
  cpuSeconds(): number {
    return this.pid === null ? 0 : procCpuSeconds(this.pid);
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** utime + stime of a process, in seconds (clock ticks are 100/s on Linux). */
export function procCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

/** Resident memory of a process in MiB (Linux /proc), or 0 when it is gone. */
export function procRssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}
