/**
 * A fingerprint template must leave no trace on disk once its parcel is
 * handed over: not in kiosk.db (a free page), not in its WAL, not in any
 * other file of the data directory, raw or in any encoding, while running
 * and after a clean stop.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { load, startHarness, waitFor, type Harness } from '../support/kiosk.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.stop();
  h = null;
});

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

/** Files under `dir` holding any 16-byte run of the template, raw, base64, base64url or hex. */
function traces(dir: string, template: Buffer): string[] {
  const needles: Buffer[] = [];
  for (let i = 0; i + 16 <= template.length; i += 8) needles.push(template.subarray(i, i + 16));
  for (const enc of ['base64', 'base64url', 'hex'] as const) {
    const text = template.toString(enc);
    // Offsets that are multiples of 4 (or 2 for hex) line up with how any encoder splits the bytes.
    for (let i = 0; i + 24 <= text.length; i += 16) needles.push(Buffer.from(text.slice(i, i + 24)));
  }
  return files(dir).filter((f) => {
    const bytes = readFileSync(f);
    return needles.some((n) => bytes.includes(n));
  });
}

describe('a fingerprint template after its handover', () => {
  it('is gone from every file of the data directory, running and after a stop', async () => {
    h = await startHarness();
    const template = randomBytes(512);
    const cid = await load(h, 'T-ERASE', '12121212');
    h.k.store.parcels.update('shop-a', 'T-ERASE', { bio: { format: 'r30x-char', template: template.toString('base64url') } }, h.clock.now());
    // The search finds it while the parcel waits (so a miss later means it is gone, not that the search is blind).
    expect(traces(h.dataDir, template).length).toBeGreaterThan(0);

    await h.hands.scan('shop-a/T-ERASE');
    await waitFor(h.hands, 'enter-code');
    await h.post('/sim/finger', { template: template.toString('base64') });
    await waitFor(h.hands, 'door-open');
    await h.hands.door(cid, true);
    await h.hands.door(cid, false);
    await waitFor(h.hands, 'thanks');
    expect(h.k.store.parcels.get('shop-a', 'T-ERASE')?.bio).toBeNull();

    expect(traces(h.dataDir, template)).toEqual([]);
    await h.restart();
    expect(traces(h.dataDir, template)).toEqual([]);
  }, 60_000);

  it('is gone when a manifest cancel or a replacement drops it before any pickup', async () => {
    h = await startHarness();
    const first = randomBytes(512);
    const second = randomBytes(512);
    const { store } = h.k;
    store.tx(() => store.parcels.insert({ sellerId: 'shop-a', txn: 'T-X', state: 'expected', bio: { format: 'r30x-char', template: first.toString('base64url') } }, 1));
    store.tx(() => store.parcels.update('shop-a', 'T-X', { bio: { format: 'r30x-char', template: second.toString('base64url') } }, 2));
    expect(traces(h.dataDir, first)).toEqual([]);
    expect(traces(h.dataDir, second).length).toBeGreaterThan(0);
    store.tx(() => store.parcels.delete('shop-a', 'T-X'));
    expect(traces(h.dataDir, second)).toEqual([]);
  }, 30_000);
});
