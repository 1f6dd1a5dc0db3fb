/**
 * A private Mosquitto for one test file: its own config in a temp folder, a
 * free port on 127.0.0.1, no persistence. stop() and start() again keep the
 * port, to test outages. Never touches the machine's broker on 1883.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

function findMosquitto(): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  for (const d of dirs) {
    const p = join(d, 'mosquitto');
    if (d !== '' && existsSync(p)) return p;
  }
  throw new Error('mosquitto is not installed: apt-get install mosquitto (the tests start private brokers of their own)');
}

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

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export class Mosquitto {
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

  /** Starts a broker on a free port (retries on another port if one was taken meanwhile). */
  static async start(extraConfig: string[] = []): Promise<Mosquitto> {
    const bin = findMosquitto();
    let lastError: unknown;
    for (let i = 0; i < 5; i++) {
      const dir = mkdtempSync(join(tmpdir(), 'pk-mosq-'));
      const m = new Mosquitto(await freePort(), dir, bin);
      writeFileSync(
        join(dir, 'mosquitto.conf'),
        [
          `listener ${m.port} 127.0.0.1`,
          'allow_anonymous true',
          'persistence false',
          'log_dest stderr',
          'log_type error',
          'max_queued_messages 100000',
          // Without it Mosquitto's own replies wait on Nagle: ~40 ms per round trip instead of well under 1.
          'set_tcp_nodelay true',
          ...extraConfig,
          '',
        ].join('\n'),
      );
      try {
        await m.start();
        return m;
      } catch (e) {
        lastError = e;
        rmSync(dir, { recursive: true, force: true });
      }
    }
    throw lastError;
  }

  /** (Re)starts on the same port; resolves once it accepts connections. */
  async start(): Promise<void> {
    if (this.proc !== null) return;
    this.stderr = '';
    const proc = spawn(this.bin, ['-c', join(this.dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.proc = proc;
    proc.stderr?.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    let exited = false;
    proc.once('exit', () => {
      exited = true;
      if (this.proc === proc) this.proc = null;
    });
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      if (exited) break;
      if (await canConnect(this.port)) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    proc.kill('SIGKILL');
    this.proc = null;
    throw new Error(`mosquitto did not start on port ${this.port}: ${this.stderr.trim() || 'no output'}`);
  }

  /** Stops the broker (SIGKILL: an outage, not a goodbye; clients see their connections drop). */
  async stop(): Promise<void> {
    const proc = this.proc;
    if (proc === null) return;
    this.proc = null;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGKILL');
    });
  }

  /** Stops and removes the config folder. */
  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
