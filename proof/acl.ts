/**
 * TLS and ACLs on a real Mosquitto: the shipped mosquitto.conf and ACL files
 * (deploy/mosquitto/), client certificates made here. kiosk-1 (the kiosk's
 * link) works through TLS with a seller and an operator; every other kiosk's
 * credentials, even under kiosk-1's client id, try to read kiosk-1's topics
 * and the seller's, to publish as a seller to kiosk-1 and as kiosk-1 to the
 * operator. Each denial is observed (what arrives, or what does not), next to
 * the allowed case that shows the message would have arrived.
 */
import { readFileSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import type { ManifestApplied } from '../src/link/index.js';
import { makeKiosk, manifestPayload, sellerSigner, signed, waitFor, type Kiosk } from './lib/link-kiosk.js';
import { TlsBroker } from './lib/tls-broker.js';
import { sleep, type Say } from './lib/util.js';

export interface AclCase {
  name: string;
  expect: 'allowed' | 'refused';
  /** What was expected was seen (a delivery, a refusal, or nothing arriving while the allowed control did). */
  observed: boolean;
  detail: string;
}

export interface AclResult {
  /** Kiosks whose credentials tried what they may not (kiosk-2 …). */
  intruders: number;
  cases: AclCase[];
  allowed: number;
  refused: number;
  /** Cases whose outcome was not the expected one. */
  unexpected: number;
  /** kiosk-1 stayed connected while every intruder used its client id. */
  kioskStayedConnected: boolean;
  seconds: number;
}

async function refusedConnect(p: Promise<MqttClient>): Promise<{ refused: boolean; detail: string }> {
  try {
    const c = await p;
    await c.endAsync(true);
    return { refused: false, detail: 'connected' };
  } catch (e) {
    return { refused: true, detail: `refused: ${(e as Error).message.replace(/^[0-9A-F]+:error:[0-9A-F]+:SSL routines:[a-z0-9_]+:/, '').replace(/:\.\.\/.*$/s, '').slice(0, 70)}` };
  }
}

export async function aclProof(o: { intruders: number; say: Say }): Promise<AclResult> {
  const t0 = Date.now();
  const b = new TlsBroker();
  const clients: MqttClient[] = [];
  let kiosk: Kiosk | null = null;
  const cases: AclCase[] = [];
  const add = (name: string, expect: AclCase['expect'], observed: boolean, detail: string): void => {
    cases.push({ name, expect, observed, detail });
  };
  try {
    await b.start();
    b.cert('kiosk', 'kiosk-1');
    for (let j = 2; j <= o.intruders + 1; j++) b.cert('kiosk', `kiosk-${j}`);
    b.cert('seller', 's1');
    b.cert('operator', 'op1');
    const s1 = sellerSigner('s1');

    // Allowed: kiosk-1 over TLS ("connected" means its SUBSCRIBE to pk/v1/kiosk/kiosk-1/# was granted).
    const manifests: ManifestApplied[] = [];
    let acks = 0;
    const drops: string[] = [];
    kiosk = makeKiosk({ url: `mqtts://127.0.0.1:${b.ports.kiosk}`, sellers: { s1: s1.keys }, link: { tls: b.tlsOf('kiosk-1') } });
    kiosk.link.on('manifest', (m) => manifests.push(m));
    kiosk.link.on('ack', () => acks++);
    kiosk.link.on('dropped', (d) => drops.push(d.reason));
    kiosk.link.start();
    await waitFor(() => kiosk!.link.connected, 'kiosk-1 to connect over TLS');
    add('kiosk-1 connects over TLS and subscribes to its own topics', 'allowed', kiosk.link.connected, 'connected');

    const seller = await b.client('seller', 's1', 's1-a');
    clients.push(seller);
    const heard: string[] = [];
    seller.on('message', (topic) => heard.push(topic));
    const granted = await seller.subscribeAsync('$share/sellers/pk/v1/seller/s1/#', { qos: 1 });
    add('the seller subscribes to its own topics ($share)', 'allowed', granted[0]?.qos === 1, `granted qos ${granted[0]?.qos}`);

    const operator = await b.client('operator', 'op1', 'op1-a');
    clients.push(operator);
    const watched: string[] = [];
    operator.on('message', (topic, payload) => watched.push(`${topic} ${payload.toString('utf8')}`));
    await operator.subscribeAsync(['pk/v1/kiosk/+/status', 'pk/v1/kiosk/+/alarm'], { qos: 1 });

    // The intruders: kiosk-j's credentials under kiosk-1's client id (the broker makes it kiosk-j).
    const stolen = new Map<string, string[]>();
    const intruders: Array<{ name: string; c: MqttClient }> = [];
    for (let j = 2; j <= o.intruders + 1; j++) {
      const name = `kiosk-${j}`;
      const c = await b.client('kiosk', name, 'kiosk-1');
      clients.push(c);
      stolen.set(name, []);
      c.on('message', (topic) => stolen.get(name)?.push(topic));
      // Mosquitto grants the SUBSCRIBE and checks the ACL on each delivery: what counts is what arrives.
      await c.subscribeAsync(['pk/v1/kiosk/kiosk-1/#', 'pk/v1/kiosk/+/manifest', 'pk/v1/seller/s1/#', 'pk/v1/seller/+/events'], { qos: 1 });
      intruders.push({ name, c });
    }
    const stayed = kiosk.link.connected;

    // Each intruder publishes as a seller to kiosk-1, and as kiosk-1 to the operator.
    for (const [n, { name, c }] of intruders.entries()) {
      await c.publishAsync('pk/v1/kiosk/kiosk-1/manifest', manifestPayload(s1, 'kiosk-1', 50 + n, []), { qos: 1 });
      await c.publishAsync('pk/v1/kiosk/kiosk-1/ack', signed(s1, { type: 'ack', eventIds: ['EV-INTRUDER'] }), { qos: 1 });
      await c.publishAsync('pk/v1/kiosk/kiosk-1/reply', signed(s1, { type: 'verify.reply', requestId: 'R', result: 'ok' }), { qos: 1 });
      await c.publishAsync('pk/v1/kiosk/kiosk-1/status', `FORGED-${name}`, { qos: 1 });
      await c.publishAsync('pk/v1/kiosk/kiosk-1/alarm', `FORGED-${name}`, { qos: 1 });
    }
    // The real seller's manifest reaches kiosk-1, and kiosk-1's event and alarm reach the seller and the operator.
    await seller.publishAsync('pk/v1/kiosk/kiosk-1/manifest', manifestPayload(s1, 'kiosk-1', 1, []), { qos: 1 });
    await waitFor(() => manifests.length >= 1, "the seller's manifest at kiosk-1").catch(() => undefined);
    kiosk.addEvent('s1', 'T-1', 'parcel.arrived');
    kiosk.addAlarm('proof');
    await waitFor(() => heard.includes('pk/v1/seller/s1/events'), "kiosk-1's event at the seller").catch(() => undefined);
    await waitFor(() => watched.some((w) => w.startsWith('pk/v1/kiosk/kiosk-1/alarm')), "kiosk-1's alarm at the operator").catch(() => undefined);
    await sleep(500); // a late delivery, if any, lands now
    add("the seller's manifest reaches kiosk-1", 'allowed', manifests.some((m) => m.seq === 1), `seqs ${manifests.map((m) => m.seq).join(',')}`);
    add("kiosk-1's event reaches the seller", 'allowed', heard.includes('pk/v1/seller/s1/events'), `${heard.length} messages`);
    add("kiosk-1's alarm reaches the operator", 'allowed', watched.some((w) => w.startsWith('pk/v1/kiosk/kiosk-1/alarm')), `${watched.length} messages`);

    const forged = (name: string, sub: string): boolean => watched.some((w) => w === `pk/v1/kiosk/kiosk-1/${sub} FORGED-${name}`);
    const fromIntruders = manifests.filter((m) => m.seq !== 1).length + acks + drops.length;
    for (const { name } of intruders) {
      const got = stolen.get(name) ?? [];
      add(`${name} reads kiosk-1's manifests`, 'refused', !got.some((t) => t.startsWith('pk/v1/kiosk/')), got.join(',') || 'nothing arrived');
      add(`${name} reads the seller's events`, 'refused', !got.some((t) => t.startsWith('pk/v1/seller/')), got.join(',') || 'nothing arrived');
      add(`${name} publishes as a seller to kiosk-1 (manifest, ack, reply)`, 'refused', fromIntruders === 0, `kiosk-1 got ${fromIntruders} of the intruders' messages${drops.length > 0 ? ` (${[...new Set(drops)].join('; ')})` : ''}`);
      add(`${name} publishes kiosk-1's status`, 'refused', !forged(name, 'status'), forged(name, 'status') ? 'the operator got it' : 'nothing arrived');
      add(`${name} publishes kiosk-1's alarm`, 'refused', !forged(name, 'alarm'), forged(name, 'alarm') ? 'the operator got it' : 'nothing arrived');
    }

    // Connections the listeners refuse.
    const k2 = intruders[0]?.name ?? 'kiosk-1';
    const asSeller = await refusedConnect(b.client('seller', k2, 'k2-as-seller'));
    add('a kiosk certificate where sellers connect', 'refused', asSeller.refused, asSeller.detail);
    const asKiosk = await refusedConnect(b.client('kiosk', 's1', 's1-as-kiosk'));
    add('a seller certificate where kiosks connect', 'refused', asKiosk.refused, asKiosk.detail);
    const noCert = await refusedConnect(mqtt.connectAsync(`mqtts://127.0.0.1:${b.ports.kiosk}`, { reconnectPeriod: 0, connectTimeout: 3000, ca: readFileSync(b.tlsOf('kiosk-1').ca) }));
    add('TLS without a client certificate', 'refused', noCert.refused, noCert.detail);
    const plain = await refusedConnect(mqtt.connectAsync(`mqtt://127.0.0.1:${b.ports.kiosk}`, { reconnectPeriod: 0, connectTimeout: 3000 }));
    add('plain MQTT on the kiosk listener', 'refused', plain.refused, plain.detail);

    const r: AclResult = {
      intruders: intruders.length,
      cases,
      allowed: cases.filter((c) => c.expect === 'allowed' && c.observed).length,
      refused: cases.filter((c) => c.expect === 'refused' && c.observed).length,
      unexpected: cases.filter((c) => !c.observed).length,
      kioskStayedConnected: stayed && kiosk.link.connected,
      seconds: (Date.now() - t0) / 1000,
    };
    o.say(`  acl: ${r.allowed} allowed and ${r.refused} refused as expected, ${r.unexpected} not, in ${r.seconds.toFixed(1)} s`);
    for (const c of cases.filter((x) => !x.observed)) o.say(`  acl: NOT as expected: ${c.name} (${c.expect}): ${c.detail}`);
    return r;
  } finally {
    for (const c of clients) await c.endAsync(true).catch(() => undefined);
    await kiosk?.close();
    b.close();
  }
}
