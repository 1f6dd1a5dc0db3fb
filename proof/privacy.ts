/**
 * Privacy: pickups by every medium the simulated kiosk has (keypad, scan,
 * IC card, NFC tag, fingerprint). Then no recipient code may be found in the
 * database, its WAL, the log, anything the broker carried (a subscriber on
 * `#`), or the pages; and no fingerprint template's bytes in any file of the
 * data directory once its parcel has left.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { basename } from 'node:path';
import mqtt from 'mqtt';
import { b64uEncode } from '../src/domain/index.js';
import { createScene, loadMany, pickupSteps, toIdle, type Medium, type Step } from './lib/scene.js';
import { issueParcels, publishManifest, type Parcel } from './lib/seller.js';
import { contains, filesUnder, readAll } from './lib/traces.js';
import { count, until, type Say } from './lib/util.js';

export interface PrivacyResult {
  pickups: Record<string, number>;
  codes: number;
  /** where → codes found there */
  codeTraces: Record<string, number>;
  templates: number;
  /** file → templates found there */
  templateTraces: Record<string, number>;
  mqttMessages: number;
  pagesLooked: number;
  filesSearched: number;
}

const MEDIA: Medium[] = ['keypad', 'scan', 'card', 'tag', 'finger'];

/** 12-digit codes that start with 9: no timestamp or id in a log contains one by chance. */
const code = (): string => `9${String(randomInt(0, 1e9)).padStart(9, '0')}${String(randomInt(0, 100)).padStart(2, '0')}`;

/** MQTT payloads, with the base64url body of each PKP1 envelope decoded as well. */
function unwrap(payload: Buffer): Buffer {
  try {
    const e = JSON.parse(payload.toString('utf8')) as { body?: unknown };
    if (typeof e.body === 'string') return Buffer.concat([payload, Buffer.from(e.body, 'base64url')]);
  } catch {
    // not JSON: searched as it is
  }
  return payload;
}

export async function privacyProof(o: { perMedium: number; say: Say }): Promise<PrivacyResult> {
  const batch = 10;
  const scene = await createScene({ name: 'privacy', compartments: batch + 2 });
  const { kiosk: k, seller } = scene;
  const captured: Buffer[] = [];
  const spy = await mqtt.connectAsync(scene.broker.url, { protocolVersion: 4, clientId: 'proof-spy' });
  spy.on('message', (_t, p) => captured.push(unwrap(p)));
  await spy.subscribeAsync('#', { qos: 0 });
  const pages: Buffer[] = [];
  const r: PrivacyResult = { pickups: {}, codes: 0, codeTraces: {}, templates: 0, templateTraces: {}, mqttMessages: 0, pagesLooked: 0, filesSearched: 0 };
  try {
    const all: Array<Parcel & { medium: Medium; template?: Buffer }> = [];
    const issued = await issueParcels(seller, scene.kioskId, o.perMedium * MEDIA.length, 'V', code);
    issued.forEach((p, i) => all.push({ ...p, medium: MEDIA[i % MEDIA.length] }));
    let seq = 1_000_000;
    for (let i = 0; i < all.length; i += batch) {
      const group = all.slice(i, i + batch);
      // Fingerprint parcels: the seller's manifest brings the reference template before the courier comes.
      const fingers = group.filter((p) => p.medium === 'finger');
      for (const p of fingers) p.template = randomBytes(512);
      if (fingers.length > 0) {
        await publishManifest(seller, scene.broker.url, scene.kioskId, ++seq, fingers.map((p) => ({ txn: p.txn, bio: { format: 'r30x-char', template: b64uEncode(p.template ?? Buffer.alloc(0)) } })));
        await new Promise((res) => setTimeout(res, 300));
      }
      await loadMany(k, seller.sellerId, group);
      for (const p of group) {
        await toIdle(k);
        const steps: Step[] = pickupSteps(k, seller.sellerId, p, p.medium, { compartment: null, taken: false });
        for (const s of steps) {
          await s.run();
          // What the screen and the page show while the code is being typed, and right after.
          if (s.name === 'recipient presses # after the code' || s.name === 'recipient places the finger') {
            pages.push(Buffer.from(await k.page('/')), Buffer.from(JSON.stringify(await k.state())));
          }
        }
        count(r.pickups, p.medium);
      }
      o.say(`  privacy: ${Math.min(i + batch, all.length)}/${all.length} pickups`);
    }
    pages.push(Buffer.from(await k.page('/')), Buffer.from(await k.page('/api/state')), Buffer.from(await k.page('/operator')));
    await until(() => false, 1500); // the last receipts on the wire
    // A clean stop: what stays on disk is what a thief of the kiosk's storage would find.
    await k.stop();
    await spy.endAsync();
    const files = readAll(filesUnder(k.dataDir));
    files.set(k.logPath, readAll([k.logPath]).get(k.logPath) ?? Buffer.alloc(0));
    r.filesSearched = files.size;
    r.mqttMessages = captured.length;
    r.pagesLooked = pages.length;
    const wire = Buffer.concat(captured);
    const page = Buffer.concat(pages);
    r.codes = all.length;
    for (const p of all) {
      const c = Buffer.from(p.code);
      for (const [f, bytes] of files) if (contains(bytes, c)) count(r.codeTraces, f === k.logPath ? 'log' : basename(f));
      if (contains(wire, c)) count(r.codeTraces, 'MQTT');
      if (contains(page, c)) count(r.codeTraces, 'pages');
    }
    for (const p of all) {
      if (!p.template) continue;
      r.templates++;
      // Any 32-byte stretch of the template, as raw bytes or encoded.
      const parts = [0, 128, 256, 384, 480].map((off) => p.template!.subarray(off, off + 32));
      for (const [f, bytes] of files) if (f !== k.logPath && parts.some((x) => contains(bytes, x))) count(r.templateTraces, basename(f));
    }
    return r;
  } finally {
    await spy.endAsync(true).catch(() => undefined);
    await scene.close();
  }
}
