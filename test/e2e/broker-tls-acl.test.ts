/**
 * The shipped Mosquitto config (deploy/mosquitto/) on a private broker:
 * certificates made here with the openssl CLI, one CA per role. A kiosk works
 * through TLS; one kiosk's credentials can neither read another kiosk's
 * manifests nor publish as a seller; a kiosk certificate is refused where
 * sellers connect.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/config/index.js';
import type { ManifestApplied } from '../../src/link/index.js';
import { freePort } from '../support/mosquitto.js';
import { makeKiosk, manifestPayload, sellerSigner, sleep, waitFor, type Kiosk } from '../support/mqtt.js';
import { tempDir } from '../support/tmp.js';

const deploy = join(packageRoot(), 'deploy', 'mosquitto');
const tmp = tempDir('pk-tls-');
const dir = tmp.dir;

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function ca(name: string): void {
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.crt`);
}

function cert(caName: string, cn: string, file: string, ext?: string): void {
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${cn}`, '-keyout', `${file}.key`, '-out', `${file}.csr`);
  const extArgs = ext ? (writeFileSync(join(dir, `${file}.ext`), ext), ['-extfile', `${file}.ext`]) : [];
  openssl('x509', '-req', '-in', `${file}.csr`, '-CA', `${caName}.crt`, '-CAkey', `${caName}.key`, '-CAcreateserial', '-days', '2', '-out', `${file}.crt`, ...extArgs);
}

const tlsOf = (name: string) => ({ ca: join(dir, 'broker-ca.crt'), cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) });

function client(port: number, name: string, clientId: string): Promise<MqttClient> {
  const t = tlsOf(name);
  return mqtt.connectAsync(`mqtts://127.0.0.1:${port}`, {
    protocolVersion: 4,
    clientId,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ca: readFileSync(t.ca),
    cert: readFileSync(t.cert),
    key: readFileSync(t.key),
  });
}

let broker: ChildProcess | null = null;
let stderr = '';
const ports = { kiosk: 0, seller: 0, operator: 0 };

beforeAll(async () => {
  for (const n of ['broker-ca', 'kiosk-ca', 'seller-ca', 'operator-ca']) ca(n);
  cert('broker-ca', '127.0.0.1', 'broker', 'subjectAltName=IP:127.0.0.1\n');
  cert('kiosk-ca', 'kiosk-1', 'kiosk-1');
  cert('kiosk-ca', 'kiosk-2', 'kiosk-2');
  cert('seller-ca', 's1', 's1');
  ports.kiosk = await freePort();
  ports.seller = await freePort();
  ports.operator = await freePort();
  // The shipped files, with this test's folder and ports and no syslog or disk persistence.
  const conf = readFileSync(join(deploy, 'mosquitto.conf'), 'utf8')
    .replaceAll('/etc/mosquitto/pickup-kiosk/', `${dir}/`)
    .replace(/^listener 8883$/m, `listener ${ports.kiosk} 127.0.0.1`)
    .replace(/^listener 8884$/m, `listener ${ports.seller} 127.0.0.1`)
    .replace(/^listener 8885$/m, `listener ${ports.operator} 127.0.0.1`)
    .replace(/^persistence true$/m, 'persistence false')
    .replace(/^persistence_location .*$/m, '')
    .replace(/^log_dest syslog$/m, 'log_dest stderr');
  writeFileSync(join(dir, 'mosquitto.conf'), conf);
  for (const acl of ['kiosk.acl', 'seller.acl', 'operator.acl']) writeFileSync(join(dir, acl), readFileSync(join(deploy, acl)));
  // Mosquitto started as root reads its files as the mosquitto user: let it (a test folder, test keys).
  chmodSync(dir, 0o755);
  for (const f of readdirSync(dir)) chmodSync(join(dir, f), 0o644);
  const p = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  broker = p;
  p.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const end = Date.now() + 5000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port: ports.operator }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (up) break;
    if (Date.now() > end || p.exitCode !== null) throw new Error(`mosquitto did not start: ${stderr}`);
    await sleep(20);
  }
}, 30_000);

afterAll(() => {
  broker?.kill('SIGKILL');
  tmp.cleanup();
});

describe('the shipped Mosquitto TLS and ACL config', () => {
  const s1 = sellerSigner('s1');
  let kiosk: Kiosk | null = null;
  const clients: MqttClient[] = [];

  afterAll(async () => {
    for (const c of clients) await c.endAsync(true);
    await kiosk?.close();
  });

  it('lets a kiosk work through TLS and keeps another kiosk out of its topics and out of the sellers\' role', async () => {
    const manifests: ManifestApplied[] = [];
    kiosk = makeKiosk({ url: `mqtts://127.0.0.1:${ports.kiosk}`, sellers: { s1: s1.keys }, link: { tls: tlsOf('kiosk-1') } });
    kiosk.link.on('manifest', (m) => manifests.push(m));
    kiosk.link.start();
    // "connected" means the SUBSCRIBE to pk/v1/kiosk/kiosk-1/# was granted.
    await waitFor(() => kiosk!.link.connected, 'kiosk-1 to connect over TLS');

    const seller = await client(ports.seller, 's1', 's1-a');
    clients.push(seller);
    const heard: string[] = [];
    seller.on('message', (topic) => heard.push(topic));
    const granted = await seller.subscribeAsync('$share/sellers/pk/v1/seller/s1/#', { qos: 1 });
    expect(granted[0].qos).toBe(1);

    // kiosk-2's credentials, even under kiosk-1's client id (the broker makes it kiosk-2).
    const intruder = await client(ports.kiosk, 'kiosk-2', 'kiosk-1');
    clients.push(intruder);
    const stolen: string[] = [];
    intruder.on('message', (topic) => stolen.push(topic));
    // Mosquitto grants the SUBSCRIBE and checks the ACL on each delivery: what counts is what arrives.
    await intruder.subscribeAsync(['pk/v1/kiosk/kiosk-1/#', 'pk/v1/kiosk/+/manifest', 'pk/v1/seller/s1/#'], { qos: 1 });
    // kiosk-1 stays connected: the intruder did not take over its session.
    expect(kiosk.link.connected).toBe(true);

    // The intruder publishes as a seller: nothing of it reaches kiosk-1.
    await intruder.publishAsync('pk/v1/kiosk/kiosk-1/manifest', manifestPayload(s1, 'kiosk-1', 50, []), { qos: 1 });
    // The real seller's manifest does, and it is the only one.
    await seller.publishAsync('pk/v1/kiosk/kiosk-1/manifest', manifestPayload(s1, 'kiosk-1', 1, []), { qos: 1 });
    await waitFor(() => manifests.length === 1, 'the seller\'s manifest at kiosk-1');
    await sleep(300);
    expect(manifests.map((m) => m.seq)).toEqual([1]);
    expect(stolen).toEqual([]);

    // kiosk-1's event reaches the seller through the ACL; a kiosk may not read a seller's topics.
    kiosk.addEvent('s1', 'T-1', 'parcel.arrived');
    await waitFor(() => heard.includes('pk/v1/seller/s1/events'), 'kiosk-1\'s event at the seller');
    await sleep(200);
    expect(stolen).toEqual([]);
  }, 30_000);

  it('refuses a kiosk certificate where sellers connect, and a connection without a certificate', async () => {
    await expect(client(ports.seller, 'kiosk-2', 'k2-as-seller')).rejects.toThrow();
    await expect(
      mqtt.connectAsync(`mqtts://127.0.0.1:${ports.kiosk}`, { reconnectPeriod: 0, connectTimeout: 3000, ca: readFileSync(tlsOf('kiosk-1').ca) }),
    ).rejects.toThrow();
    await expect(mqtt.connectAsync(`mqtt://127.0.0.1:${ports.kiosk}`, { reconnectPeriod: 0, connectTimeout: 3000 })).rejects.toThrow();
  }, 30_000);
});
