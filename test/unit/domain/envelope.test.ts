import { sign } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  b64uEncode,
  createTrustStore,
  encodeEnvelope,
  MAX_ENVELOPE_BYTES,
  openEnvelope,
  signEnvelope,
  signEnvelopeText,
  type Envelope,
  type Signer,
} from '../../../src/domain/index.js';
import { envelopeTrust, envelopes, keys, kioskEd25519, sellerKeys } from './vectors.js';

const signers: Record<string, Signer> = {
  kiosk: { id: keys.kiosk.id, keys: kioskEd25519 },
  ...Object.fromEntries(sellerKeys.map((s) => [s.id, s])),
};
const payload = (o: unknown) => Buffer.from(JSON.stringify(o), 'utf8');
const kioskSigner = signers.kiosk;
const body = { type: 'kiosk.status', id: '0192f3a0-7b1c-7000-8000-0000000000aa', at: '2026-11-21T09:30:00Z', state: 'online' };

describe('envelopes.json', () => {
  it('holds the 4 vectors', () => expect(envelopes.length).toBe(4));

  for (const v of envelopes) {
    it(`${v.name}: ${v.expect}`, () => {
      const r = openEnvelope(payload(v.envelope), envelopeTrust);
      if (v.expect === 'valid') {
        expect(r).toEqual({ ok: true, by: v.envelope.by, kid: v.envelope.kid, body: JSON.parse(v.body!), bodyText: v.body });
      } else {
        expect(r.ok).toBe(false);
      }
      // the string form of the same payload gives the same answer
      expect(openEnvelope(JSON.stringify(v.envelope), envelopeTrust)).toEqual(r);
    });
  }

  it('the swapped body fails its signature; the wrong by names a key it does not have', () => {
    const reason = (name: string) => {
      const r = openEnvelope(payload(envelopes.find((e) => e.name === name)!.envelope), envelopeTrust);
      return r.ok ? 'ok' : r.reason;
    };
    expect(reason('manifest-body-swapped')).toBe('bad-signature');
    expect(reason('manifest-wrong-by')).toBe('untrusted');
  });

  for (const v of envelopes.filter((e) => e.expect === 'valid')) {
    it(`${v.name}: re-signing the body gives the same bytes (Ed25519 is deterministic)`, () => {
      const signer = signers[v.signer];
      expect(signEnvelope(JSON.parse(v.body!) as object, signer)).toEqual(v.envelope);
      expect(signEnvelopeText(v.body!, signer)).toEqual(v.envelope);
    });
  }
});

describe('signEnvelope / encodeEnvelope / openEnvelope', () => {
  it('round-trips, with the body bytes exactly as signed', () => {
    const e = signEnvelope(body, kioskSigner);
    expect(e).toMatchObject({ v: 1, by: 'kiosk-1', kid: keys.kiosk.kid });
    const wire = encodeEnvelope(e);
    expect(JSON.parse(wire.toString('utf8'))).toEqual(e);
    expect(openEnvelope(wire, envelopeTrust)).toEqual({ ok: true, by: 'kiosk-1', kid: keys.kiosk.kid, body, bodyText: JSON.stringify(body) });
  });

  it('a signer that is not trusted, or a key past its notAfter, is untrusted', () => {
    const wire = encodeEnvelope(signEnvelope(body, kioskSigner));
    expect(openEnvelope(wire, createTrustStore({}))).toEqual({ ok: false, reason: 'untrusted', by: 'kiosk-1' });
    const expiring = createTrustStore({ 'kiosk-1': [{ key: keys.kiosk.ed25519Public, notAfter: '2026-11-21T00:00:00Z' }] });
    expect(openEnvelope(wire, expiring, Date.parse('2026-11-20T00:00:00Z')).ok).toBe(true);
    expect(openEnvelope(wire, expiring, Date.parse('2026-11-22T00:00:00Z'))).toMatchObject({ reason: 'untrusted' });
  });

  it('a key of another signer does not verify for this signer', () => {
    // shop-b's key under kiosk-1's id: the kid matches, the signer does not.
    const b = sellerKeys[1];
    const e = signEnvelope(body, { id: 'kiosk-1', keys: b.keys });
    expect(openEnvelope(encodeEnvelope(e), envelopeTrust)).toMatchObject({ ok: false, reason: 'untrusted' });
  });

  it('refuses a malformed shape, naming `by` where it was readable', () => {
    const e = signEnvelope(body, kioskSigner);
    const check = (o: unknown) => openEnvelope(payload(o), envelopeTrust);
    expect(check({ ...e, v: 2 })).toEqual({ ok: false, reason: 'malformed', by: 'kiosk-1' });
    expect(check({ ...e, v: '1' })).toMatchObject({ reason: 'malformed' });
    expect(check({ ...e, by: 'kiosk 1' })).toEqual({ ok: false, reason: 'malformed', by: null });
    expect(check({ ...e, kid: e.kid.toUpperCase() })).toMatchObject({ reason: 'malformed' });
    expect(check({ ...e, kid: `${e.kid}0` })).toMatchObject({ reason: 'malformed' });
    expect(check({ ...e, body: `${e.body}=` })).toMatchObject({ reason: 'malformed' });
    expect(check({ ...e, sig: `${e.sig}=` })).toMatchObject({ reason: 'malformed' });
    expect(check({ ...e, sig: b64uEncode(Buffer.alloc(63)) })).toMatchObject({ reason: 'malformed' });
    expect(check({ ...e, body: 1 })).toMatchObject({ reason: 'malformed' });
    expect(check([e])).toMatchObject({ reason: 'malformed' });
    expect(check(null)).toMatchObject({ reason: 'malformed' });
    expect(openEnvelope(Buffer.from([0xff, 0xfe]), envelopeTrust)).toMatchObject({ reason: 'malformed' });
    expect(openEnvelope('{"v":1', envelopeTrust)).toMatchObject({ reason: 'malformed' });
  });

  it('a signed body that is not a JSON object with string type, id and at is bad-body', () => {
    const signText = (text: string) => encodeEnvelope(signEnvelopeText(text, kioskSigner));
    for (const text of ['[1]', '"x"', 'null', '{"type":"a","id":"b"}', '{"type":1,"id":"b","at":"c"}', '{not json', '\ufeff{}']) {
      expect(openEnvelope(signText(text), envelopeTrust)).toEqual({ ok: false, reason: 'bad-body', by: 'kiosk-1' });
    }
    // body bytes that are not UTF-8, correctly signed
    const raw = Buffer.from([0x7b, 0xff, 0x7d]);
    const e: Envelope = {
      v: 1,
      by: 'kiosk-1',
      kid: keys.kiosk.kid,
      body: b64uEncode(raw),
      sig: b64uEncode(sign(null, raw, kioskEd25519.privateKey)),
    };
    expect(openEnvelope(encodeEnvelope(e), envelopeTrust)).toMatchObject({ ok: false, reason: 'bad-body' });
  });

  it('refuses payloads over 4 MiB before parsing them', () => {
    const big = Buffer.alloc(MAX_ENVELOPE_BYTES + 1, 0x20);
    expect(openEnvelope(big, envelopeTrust)).toEqual({ ok: false, reason: 'malformed', by: null });
    // a valid envelope padded with white space past the cap is still refused
    const e = encodeEnvelope(signEnvelope(body, kioskSigner)).toString('utf8');
    expect(openEnvelope(e + ' '.repeat(MAX_ENVELOPE_BYTES), envelopeTrust)).toMatchObject({ reason: 'malformed' });
    expect(openEnvelope(e + ' '.repeat(1000), envelopeTrust).ok).toBe(true);
  });

  it('every single-bit flip of a signed payload is refused', () => {
    const wire = encodeEnvelope(signEnvelope(body, kioskSigner));
    for (let bit = 0; bit < wire.length * 8; bit++) {
      const b = Buffer.from(wire);
      b[bit >> 3] ^= 1 << (bit & 7);
      const r = openEnvelope(b, envelopeTrust);
      if (r.ok) throw new Error(`bit ${bit} flipped still opens`);
    }
  });
});

describe('openEnvelope never throws', () => {
  const valid = encodeEnvelope(signEnvelope(body, kioskSigner));

  it('on arbitrary strings, bytes and truncations', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 500 }),
          fc.uint8Array({ maxLength: 500 }),
          fc.nat({ max: valid.length - 1 }).map((n) => valid.subarray(0, n)),
          fc.json(),
          fc.record({ v: fc.constant(1), by: fc.string(), kid: fc.string(), body: fc.string(), sig: fc.string() }).map((o) => JSON.stringify(o)),
        ),
        (p) => {
          const r = openEnvelope(p, envelopeTrust);
          expect(r.ok).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('on deeply nested JSON and hostile trust stores', () => {
    expect(openEnvelope('['.repeat(200_000) + ']'.repeat(200_000), envelopeTrust)).toMatchObject({ reason: 'malformed' });
    const hostile = { keys: () => { throw new Error('boom'); } };
    expect(openEnvelope(valid, hostile)).toEqual({ ok: false, reason: 'malformed', by: 'kiosk-1' });
    expect(openEnvelope(undefined as unknown as string, envelopeTrust)).toMatchObject({ reason: 'malformed' });
  });
});

