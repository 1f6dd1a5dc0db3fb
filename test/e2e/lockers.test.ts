import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { b64uDecode, b64uEncode, createTrustStore, deriveS, kReceipt, openEnvelope, parseSlip, recipientProof } from '../../src/domain/index.js';
import { main } from '../../src/cli.js';
import { startHarness, load, tryCode, type Harness, type SimState } from '../support/kiosk.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.stop();
  h = null;
});

/** The kiosk's public key as `pickup-kiosk identity` prints it. */
async function identityFromCli(dataDir: string): Promise<{ ed25519Public: string; kioskId: string }> {
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((s: string) => {
    out += s;
    return true;
  });
  try {
    expect(await main(['identity', '--data-dir', dataDir])).toBe(0);
  } finally {
    process.stdout.write = write;
  }
  return JSON.parse(out);
}

function events(h: Harness) {
  return h.k.store.outbox.all().map((r) => ({ row: r, env: JSON.parse(r.payload.toString()) }));
}

describe('lockers end to end over /sim', () => {
  it('loads three parcels and hands each over to the right code; events verify and proofs match', async () => {
    h = await startHarness();
    const parcels = [
      { txn: 'T-2026-11-501', code: '11112222' },
      { txn: 'T-2026-11-502', code: '33334444' },
      { txn: 'T-2026-11-503', code: '5555666677' },
    ];
    const slips = new Map<string, string>();
    const where = new Map<string, string>();
    for (const p of parcels) {
      const slip = await h.slip(p.txn, p.code);
      slips.set(p.txn, slip);
      where.set(p.txn, await load(h, p.txn, p.code, { slip }));
    }
    expect(new Set(where.values()).size).toBe(3);
    for (const p of parcels) expect(h.k.store.parcels.get('shop-a', p.txn)).toMatchObject({ state: 'stored', compartmentId: where.get(p.txn) });

    for (const [i, p] of parcels.entries()) {
      const cid = where.get(p.txn)!;
      const pulses = (st: SimState) => Object.fromEntries(st.compartments.map((c) => [c.id, c.unlockPulses]));
      const before = pulses(await h.state());
      if (i === 1) {
        // named by typing the txn's digits
        await h.post('/sim/keypad', { keys: '202611502#' });
        await h.waitScreen('enter-code');
        await h.post('/sim/keypad', { keys: `${p.code}#` });
        await h.waitScreen('door-open');
      } else {
        await tryCode(h, p.txn, p.code, 'door-open');
      }
      const s = await h.state();
      expect(s.screen.params).toMatchObject({ compartment: cid });
      // that door, and no other, was pulsed once
      expect(pulses(s)).toEqual({ ...before, [cid]: before[cid] + 1 });
      await h.post(`/sim/door/${cid}`, { open: true });
      await h.post(`/sim/door/${cid}`, { open: false });
      await h.waitScreen('thanks');
      expect(h.k.store.parcels.get('shop-a', p.txn)?.state).toBe('handed_over');
      expect(h.k.store.compartments.get(cid)?.state).toBe('free');
    }

    // The outbox: exactly 3 arrived + 3 handed over, each signed by the kiosk key `identity` prints.
    const id = await identityFromCli(h.dataDir);
    const trust = createTrustStore({ [id.kioskId]: [id.ed25519Public] });
    const all = events(h);
    expect(all.map((e) => e.row.kind).sort()).toEqual(['parcel.arrived', 'parcel.arrived', 'parcel.arrived', 'parcel.handed_over', 'parcel.handed_over', 'parcel.handed_over']);
    for (const e of all) {
      const opened = openEnvelope(e.row.payload, trust);
      expect(opened.ok).toBe(true);
      if (!opened.ok) continue;
      expect(e.row.topic).toBe('pk/v1/seller/shop-a/events');
      expect(opened.body.id).toBe(e.row.eventId);
      if (opened.body.type !== 'parcel.handed_over') continue;
      const txn = opened.body.txn as string;
      const p = parcels.find((x) => x.txn === txn)!;
      const slip = parseSlip(slips.get(txn)!)!;
      expect(opened.body).toMatchObject({ method: 'slip', lockerId: where.get(txn), paid: null, salt: b64uEncode(slip.salt) });
      const S = await deriveS(p.code, slip.salt, slip.params);
      const want = recipientProof(kReceipt(S, slip.salt), e.row.eventId, txn);
      expect(b64uDecode(opened.body.recipientProof as string)).toEqual(want);
    }

    // No code anywhere: database file, WAL, log, outbox payloads.
    h.k.store.db.pragma('wal_checkpoint(FULL)');
    const dbBytes = readFileSync(join(h.dataDir, 'kiosk.db')).toString('latin1');
    const log = h.logText();
    expect(log.length).toBeGreaterThan(1000);
    const outboxText = all.map((e) => e.row.payload.toString() + Buffer.from(e.env.body, 'base64url').toString()).join('\n');
    for (const p of parcels) {
      expect(dbBytes).not.toContain(p.code);
      expect(log).not.toContain(p.code);
      expect(outboxText).not.toContain(p.code);
    }
  });

  it('refuses wrong codes, counts them per parcel, and stops offline checks after 10', async () => {
    h = await startHarness({
      tune: (c) => {
        c.attempts.kioskSprayParcels = 100; // this test is about the per-parcel count,
        c.attempts.parcelFreeFailures = 100; // not about the waits between tries
      },
    });
    const cid = await load(h, 'T-9', '12121212');
    const s1 = await tryCode(h, 'T-9', '99999999', 'denied');
    expect(s1.params).toEqual({ triesLeft: 9, reason: 'wrong-code' });
    expect(h.k.store.attempts.parcelFailures('shop-a', 'T-9')).toBe(1);
    // not 6-16 digits: refused without counting
    await h.post('/sim/keypad', { keys: '123#' });
    expect((await h.waitScreen('denied')).screen.params).toEqual({ triesLeft: null, reason: 'bad-format' });
    expect(h.k.store.attempts.parcelFailures('shop-a', 'T-9')).toBe(1);
    for (let i = 2; i <= 10; i++) {
      await h.post('/sim/keypad', { keys: `9999999${i % 10}#` });
      const st = await h.waitScreen(i < 10 ? 'denied' : 'locked-out');
      // never "0 tries left" beside a prompt: the tenth is locked out
      if (i < 10) expect(st.screen.params.triesLeft).toBe(10 - i);
    }
    expect(h.k.store.attempts.parcelFailures('shop-a', 'T-9')).toBe(10);
    // even the right code is no longer checked offline
    await h.post('/sim/scan', { text: 'shop-a/T-9' });
    await h.waitScreen('locked-out');
    expect((await h.state()).compartments.find((c) => c.id === cid)!.unlockPulses).toBe(1);
    expect(h.k.store.outbox.all().filter((r) => r.kind === 'kiosk.alarm')).toHaveLength(1);
    // the counts survive a restart
    await h.restart();
    expect(h.k.store.attempts.parcelFailures('shop-a', 'T-9')).toBe(10);
    await h.post('/sim/scan', { text: 'shop-a/T-9' });
    await h.waitScreen('locked-out');
  });

  it('makes the whole kiosk wait only for wrong codes spread over 3 parcels, from 30 s', async () => {
    h = await startHarness();
    for (const t of ['T-A', 'T-B', 'T-C']) await load(h, t, '12121212');
    await tryCode(h, 'T-A', '00000000', 'denied');
    await tryCode(h, 'T-B', '00000000', 'denied');
    const last = h.clock.now();
    // the third parcel guessed at: the next try anywhere waits 30 s…
    const w = await tryCode(h, 'T-C', '00000000', 'wait');
    expect(w.params).toEqual({ why: 'kiosk', until: last + 30_000, entered: 0, triesLeft: 9 });
    // …and keeps what is typed meanwhile
    await h.post('/sim/keypad', { keys: '12121212#' });
    expect((await h.state()).screen).toMatchObject({ id: 'wait', params: { entered: 8 } });
    h.clock.advance(30_000);
    await h.waitScreen('enter-code');
    await h.post('/sim/keypad', { keys: '#' });
    expect((await h.waitScreen('door-open')).screen.params).toMatchObject({ compartment: h.k.store.parcels.get('shop-a', 'T-C')!.compartmentId });
    expect(h.k.store.parcels.get('shop-a', 'T-C')?.state).toBe('unlocking');
  });

  it('locks again when the door is not opened in time; the recipient can retry', async () => {
    h = await startHarness();
    const cid = await load(h, 'T-B', '12121212');
    await tryCode(h, 'T-B', '12121212', 'door-open');
    expect(h.k.store.parcels.get('shop-a', 'T-B')?.state).toBe('unlocking');
    h.clock.advance(h.config.doors.openGraceMs);
    await h.waitScreen('door-not-opened');
    expect(h.k.store.parcels.get('shop-a', 'T-B')).toMatchObject({ state: 'stored', handover: null });
    const st = (await h.state()).compartments.find((c) => c.id === cid)!;
    expect(st.locked).toBe(true);
    expect(h.k.store.outbox.all().filter((r) => r.kind === 'parcel.handed_over')).toHaveLength(0);
    await tryCode(h, 'T-B', '12121212', 'door-open');
    await h.post(`/sim/door/${cid}`, { open: true });
    await h.post(`/sim/door/${cid}`, { open: false });
    await h.waitScreen('thanks');
    expect(h.k.store.outbox.all().filter((r) => r.kind === 'parcel.handed_over')).toHaveLength(1);
  });

  it('reports a parcel past its hold once as uncollected and keeps it for return', async () => {
    h = await startHarness();
    const cid = await load(h, 'T-C', '12121212');
    h.clock.advance(7 * 86_400_000 - 120_000);
    expect(h.k.store.outbox.all().filter((r) => r.kind === 'parcel.uncollected')).toHaveLength(0);
    h.clock.advance(180_000);
    h.clock.advance(600_000);
    const un = h.k.store.outbox.all().filter((r) => r.kind === 'parcel.uncollected');
    expect(un).toHaveLength(1);
    expect(h.k.store.parcels.get('shop-a', 'T-C')).toMatchObject({ state: 'stored', compartmentId: cid });
    await h.post('/sim/scan', { text: 'shop-a/T-C' });
    await h.waitScreen('contact-seller');
  });

  it('finishes a handover exactly once after a restart between unlock and door close', async () => {
    h = await startHarness();
    const cid = await load(h, 'T-D', '12121212');
    await tryCode(h, 'T-D', '12121212', 'door-open');
    await h.post(`/sim/door/${cid}`, { open: true });
    expect(h.k.store.parcels.get('shop-a', 'T-D')?.doorOpenedAt).not.toBeNull();
    // power cut with the door open; the person closes it while the kiosk is down
    const locks = h.k.sims!.locks!;
    const channel = h.k.store.compartments.get(cid)!.channel;
    await h.restart(() => locks.closeDoor(channel));
    expect(h.k.store.parcels.get('shop-a', 'T-D')?.state).toBe('handed_over');
    expect(h.k.store.outbox.all().filter((r) => r.kind === 'parcel.handed_over')).toHaveLength(1);
    await h.restart();
    expect(h.k.store.outbox.all().filter((r) => r.kind === 'parcel.handed_over')).toHaveLength(1);
  });

  it('finishes after a restart with the door still open, when it closes', async () => {
    h = await startHarness();
    const cid = await load(h, 'T-E', '12121212');
    await tryCode(h, 'T-E', '12121212', 'door-open');
    await h.post(`/sim/door/${cid}`, { open: true });
    await h.restart();
    expect(h.k.store.parcels.get('shop-a', 'T-E')?.state).toBe('unlocking');
    await h.post(`/sim/door/${cid}`, { open: false });
    expect(h.k.store.parcels.get('shop-a', 'T-E')?.state).toBe('handed_over');
    expect(h.k.store.outbox.all().filter((r) => r.kind === 'parcel.handed_over')).toHaveLength(1);
  });
});
