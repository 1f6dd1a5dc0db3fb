/**
 * Signed but hostile: PKP1 envelopes that a trusted seller or operator really
 * signed, whose bodies are random or almost right, on every topic the kiosk
 * reads, handed to the kiosk's inbound handler (its store in a temp folder).
 * Counts what a handler threw, what it refused, and what it left behind.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/core/clock.js';
import { silentLog } from '../../src/core/log.js';
import { createTrustStore, encodeEnvelope, signEnvelopeText, uuidv7 } from '../../src/domain/index.js';
import { DropLog, type Drop } from '../../src/link/drops.js';
import { Inbound } from '../../src/link/inbound.js';
import { OnlineChecks } from '../../src/link/verify.js';
import { LinkStore } from '../../src/store/link-store.js';
import { openStore } from '../../src/store/index.js';
import { sellerSigner } from './link-kiosk.js';

export interface InboundFuzzResult {
  runs: number;
  /** handle() threw, or returned something (small messages are handled at once). */
  crashes: number;
  firstCrash: string | null;
  /** Drops whose reason is "handling failed…": a handler that threw inside. */
  handlingFailed: number;
  drops: number;
  /** Parcel states in the database at the end (only `expected` may appear: nothing was loaded). */
  parcelStates: string[];
  integrity: string;
}

const TOPICS = ['manifest', 'ack', 'reply', 'status', 'alarm'].map((t) => `pk/v1/kiosk/kiosk-1/${t}`);
const b64u = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((b) => Buffer.from(b).toString('base64url'));
const weird = fc.oneof(fc.anything(), fc.string(), fc.integer(), fc.double(), fc.constant(null), fc.array(fc.anything(), { maxLength: 3 }));
const maybe = <T>(a: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: a }, { weight: 1, arbitrary: weird });

const upsert = fc.record(
  {
    txn: maybe(fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/)),
    verifier: maybe(fc.record({ salt: maybe(b64u(16)), key: maybe(b64u(32)), logN: maybe(fc.integer({ min: 10, max: 20 })), r: maybe(fc.constant(8)), p: maybe(fc.constant(1)) })),
    bio: maybe(fc.record({ format: maybe(fc.constant('r30x-char')), template: maybe(b64u(512)) })),
    size: maybe(fc.constantFrom('S', 'M', 'L')),
    holdUntil: maybe(fc.constant('2030-01-01T00:00:00Z')),
    due: maybe(fc.record({ amount: maybe(fc.integer()), currency: maybe(fc.constant('JPY')) })),
  },
  { requiredKeys: [] },
);

const body = fc.record(
  {
    type: maybe(fc.constantFrom('manifest', 'ack', 'verify.reply', 'kiosk.status', 'kiosk.alarm')),
    id: maybe(fc.constant(null).map(() => uuidv7())),
    at: maybe(fc.constant(null).map(() => new Date().toISOString().replace(/\.\d+Z$/, 'Z'))),
    sellerId: maybe(fc.constantFrom('s1', 'op1', 's2')),
    kioskId: maybe(fc.constantFrom('kiosk-1', 'kiosk-2')),
    seq: maybe(fc.integer({ min: 0, max: 1e9 })),
    upserts: maybe(fc.array(upsert, { maxLength: 4 })),
    cancels: maybe(fc.array(maybe(fc.string({ maxLength: 10 })), { maxLength: 3 })),
    eventIds: maybe(fc.array(maybe(fc.constant(null).map(() => uuidv7())), { maxLength: 3 })),
    requestId: maybe(fc.constant(null).map(() => uuidv7())),
    result: maybe(fc.constantFrom('ok', 'denied', 'unknown', 'cancelled', 'locked')),
  },
  { requiredKeys: [] },
);

export function fuzzSignedInbound(o: { runs: number; seed: number }): InboundFuzzResult {
  const dir = mkdtempSync(join(tmpdir(), 'pk-fuzz-inbound-'));
  const store = openStore(join(dir, 'kiosk.db'));
  try {
    const s1 = sellerSigner('s1');
    const op = sellerSigner('op1');
    const kiosk = sellerSigner('kiosk-1');
    const drops: Drop[] = [];
    const inbound = new Inbound({
      kioskId: 'kiosk-1',
      store,
      links: new LinkStore(store.db),
      sellers: createTrustStore({ s1: [s1.keys.publicKey.toString('hex')] }),
      operators: createTrustStore({ op1: [op.keys.publicKey.toString('hex')] }),
      clock: systemClock,
      log: silentLog,
      drops: new DropLog(silentLog, systemClock),
      checks: new OnlineChecks({ kioskId: 'kiosk-1', signer: kiosk, clock: systemClock, isUp: () => true, publish: () => Promise.resolve() }),
      onManifest: () => undefined,
      onAck: () => undefined,
      onDrop: (d) => drops.push(d),
    });
    let crashes = 0;
    let firstCrash: string | null = null;
    fc.assert(
      fc.property(
        fc.constantFrom(...TOPICS),
        fc.constantFrom(s1, op),
        fc.oneof({ weight: 4, arbitrary: body.map((b) => JSON.stringify(b)) }, fc.string({ maxLength: 200 }), fc.json()),
        (topic, signer, text) => {
          try {
            const r = inbound.handle(topic, encodeEnvelope(signEnvelopeText(text, signer)));
            if (r !== undefined) throw new Error(`handle returned ${JSON.stringify(r)}`);
          } catch (e) {
            crashes++;
            firstCrash ??= `${topic} ${text.slice(0, 120)}: ${(e as Error).message}`;
          }
        },
      ),
      { numRuns: o.runs, seed: o.seed },
    );
    const states = store.db.prepare('SELECT DISTINCT state FROM parcels').all() as Array<{ state: string }>;
    return {
      runs: o.runs,
      crashes,
      firstCrash,
      handlingFailed: drops.filter((d) => d.reason.startsWith('handling failed')).length,
      drops: drops.length,
      parcelStates: states.map((s) => s.state),
      integrity: String(store.db.pragma('integrity_check', { simple: true })),
    };
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
