/**
 * The shipped Mosquitto config (deploy/mosquitto/) on a private broker:
 * certificates made here with the openssl CLI, one CA per role (broker,
 * kiosk, seller, operator), the shipped conf and ACL files with this folder's
 * paths and free ports, no persistence, its log on stderr. Never port 1883.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { packageRootDir } from './kiosk.js';
import { canConnect, freePort } from './mosquitto.js';
import { sleep } from './util.js';

export interface TlsFiles {
  ca: string;
  cert: string;
  key: string;
}

export class TlsBroker {
  private proc: ChildProcess | null = null;
  stderr = '';
  readonly ports = { kiosk: 0, seller: 0, operator: 0 };
  readonly dir = mkdtempSync(join(tmpdir(), 'pk-tls-'));

  private openssl(...args: string[]): void {
    execFileSync('openssl', args, { cwd: this.dir, stdio: 'pipe' });
  }

  private ca(name: string): void {
    this.openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.crt`);
  }

  /** A client certificate with CN `cn` from the CA of `role` (kiosk, seller, operator); its files are named `cn`. */
  cert(role: 'kiosk' | 'seller' | 'operator' | 'broker', cn: string, ext?: string): void {
    const file = role === 'broker' ? 'broker' : cn;
    this.openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${cn}`, '-keyout', `${file}.key`, '-out', `${file}.csr`);
    const extArgs = ext !== undefined ? (writeFileSync(join(this.dir, `${file}.ext`), ext), ['-extfile', `${file}.ext`]) : [];
    this.openssl('x509', '-req', '-in', `${file}.csr`, '-CA', `${role}-ca.crt`, '-CAkey', `${role}-ca.key`, '-CAcreateserial', '-days', '2', '-out', `${file}.crt`, ...extArgs);
    chmodSync(join(this.dir, `${file}.key`), 0o644);
  }

  tlsOf(name: string): TlsFiles {
    return { ca: join(this.dir, 'broker-ca.crt'), cert: join(this.dir, `${name}.crt`), key: join(this.dir, `${name}.key`) };
  }

  /** An MQTT 3.1.1 client over TLS with `name`'s certificate, on the listener of `role`. */
  client(role: 'kiosk' | 'seller' | 'operator', name: string, clientId: string): Promise<MqttClient> {
    const t = this.tlsOf(name);
    return mqtt.connectAsync(`mqtts://127.0.0.1:${this.ports[role]}`, {
      protocolVersion: 4,
      clientId,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      ca: readFileSync(t.ca),
      cert: readFileSync(t.cert),
      key: readFileSync(t.key),
    });
  }

  /** The CAs and the broker's certificate, then the broker with the shipped files. */
  async start(): Promise<void> {
    for (const n of ['broker-ca', 'kiosk-ca', 'seller-ca', 'operator-ca']) this.ca(n);
    this.cert('broker', '127.0.0.1', 'subjectAltName=IP:127.0.0.1\n');
    this.ports.kiosk = await freePort();
    this.ports.seller = await freePort();
    this.ports.operator = await freePort();
    const deploy = join(packageRootDir(), 'deploy', 'mosquitto');
    const conf = readFileSync(join(deploy, 'mosquitto.conf'), 'utf8')
      .replaceAll('/etc/mosquitto/pickup-kiosk/', `${this.dir}/`)
      .replace(/^listener 8883$/m, `listener ${this.ports.kiosk} 127.0.0.1`)
      .replace(/^listener 8884$/m, `listener ${this.ports.seller} 127.0.0.1`)
      .replace(/^listener 8885$/m, `listener ${this.ports.operator} 127.0.0.1`)
      .replace(/^persistence true$/m, 'persistence false')
      .replace(/^persistence_location .*$/m, '')
      .replace(/^log_dest syslog$/m, 'log_dest stderr');
    if (conf.includes('listener 888')) throw new Error('deploy/mosquitto/mosquitto.conf: a listener line was not replaced');
    writeFileSync(join(this.dir, 'mosquitto.conf'), conf);
    for (const acl of ['kiosk.acl', 'seller.acl', 'operator.acl']) writeFileSync(join(this.dir, acl), readFileSync(join(deploy, acl)));
    // Mosquitto started as root reads its files as the mosquitto user: let it (a test folder, test keys).
    chmodSync(this.dir, 0o755);
    for (const f of readdirSync(this.dir)) chmodSync(join(this.dir, f), 0o644);
    const p = spawn('mosquitto', ['-c', join(this.dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/usr/local/sbin` } });
    this.proc = p;
    p.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    const end = Date.now() + 5000;
    while (!(await canConnect(this.ports.operator))) {
      if (Date.now() > end || p.exitCode !== null) throw new Error(`mosquitto did not start: ${this.stderr}`);
      await sleep(20);
    }
  }

  close(): void {
    this.proc?.kill('SIGKILL');
    this.proc = null;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
