import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sellerCommand } from '../../src/cli/seller.js';
import type { CliIo } from '../../src/cli/io.js';
import { connectKiosk, makeKiosk, publicKeyOf, startBroker, waitFor, type Kiosk, type TestBroker } from '../support/mqtt.js';
import { tempDir } from '../support/tmp.js';

function io(stdin = ''): CliIo & { out: string; err: string } {
  const o = {
    out: '',
    err: '',
    stdout(t: string) {
      o.out += t;
    },
    stderr(t: string) {
      o.err += t;
    },
    readStdin: () => Promise.resolve(stdin),
    readSecret: () => Promise.resolve(null),
    stdinIsTty: false,
  };
  return o;
}

describe('pickup-kiosk seller …', () => {
  let broker: TestBroker;
  let kiosk: Kiosk;
  const dir = tempDir('pk-seller-cli-');
  const sd = ['--seller-dir', dir.dir];

  async function run(argv: string[], stdin = '', signal?: AbortSignal): Promise<{ code: number; out: string; err: string }> {
    const i = io(stdin);
    const code = await sellerCommand(argv, signal ? { io: i, signal } : { io: i });
    return { code, out: i.out, err: i.err };
  }

  beforeAll(async () => {
    broker = await startBroker('mosquitto');
    const kg = await run(['keygen', '--seller-id', 'shop-1', ...sd]);
    expect(kg.code).toBe(0);
    const id = JSON.parse(kg.out) as { sellerId: string; ed25519Public: string };
    kiosk = makeKiosk({ url: broker.url, sellers: { 'shop-1': publicKeyOf(id) } });
    await connectKiosk(kiosk);
  });

  afterAll(async () => {
    await kiosk?.close();
    await broker?.close();
    dir.cleanup();
  });

  it('keygen refuses to run twice; identity prints the trust entry', async () => {
    const again = await run(['keygen', '--seller-id', 'shop-1', ...sd]);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/refusing to overwrite/);
    const id = await run(['identity', ...sd]);
    expect(id.code).toBe(0);
    const j = JSON.parse(id.out) as { sellerId: string; ed25519Public: string; kid: string; trust: unknown };
    expect(j.trust).toEqual({ sellers: { 'shop-1': [j.ed25519Public] } });
    const wrong = await run(['identity', '--seller-id', 'shop-2', ...sd]);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/is seller shop-1, not shop-2/);
  });

  it('registers the kiosk from its identity JSON (file or stdin) and lists it', async () => {
    const file = join(dir.dir, 'kiosk-1.json');
    writeFileSync(file, JSON.stringify(kiosk.identity));
    expect((await run(['kiosk', 'add', file, ...sd])).code).toBe(0);
    expect((await run(['kiosk', 'add', '-', ...sd], JSON.stringify(kiosk.identity))).code).toBe(0);
    const list = await run(['kiosk', 'list', ...sd]);
    expect(JSON.parse(list.out)).toMatchObject([{ kioskId: 'kiosk-1', ed25519: kiosk.identity.ed25519Public, x25519: kiosk.identity.x25519Public }]);
    const bad = await run(['kiosk', 'add', '-', ...sd], '{"kioskId":"k"}');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/ed25519Public/);
  });

  it('issue prints {txn, code, slip, label}, writes the label, and the kiosk applies the manifest', async () => {
    const applied = new Promise<void>((resolve) => kiosk.link.once('manifest', () => resolve()));
    const r = await run(['issue', '--kiosk', 'kiosk-1', '--txn', 'CLI-1', '--size', 'M', '--due', '3015:JPY', '--hold-days', '3', '--broker', broker.url, ...sd]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { txn: string; code: string; slip: string; label: string; mode: number; seq: number };
    expect(j).toMatchObject({ txn: 'CLI-1', mode: 1, seq: 1 });
    expect(j.code).toMatch(/^\d{8}$/);
    expect(j.slip).toMatch(/^PKS1\./);
    expect(readFileSync(j.label).subarray(1, 4).toString()).toBe('PNG');
    await applied;
    expect(kiosk.store.parcels.get('shop-1', 'CLI-1')).toMatchObject({ state: 'expected', size: 'M', due: { amount: 3015, currency: 'JPY' } });
    expect(kiosk.store.parcels.get('shop-1', 'CLI-1')?.verifier).not.toBeNull();
  });

  it('issue --mode 0 makes a 10-digit code; --no-push needs no broker; bad flags say what is allowed', async () => {
    const r = await run(['issue', '--kiosk', 'kiosk-1', '--mode', '0', '--no-push', '--no-label', ...sd]);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as { code: string; label: null }).code).toMatch(/^\d{10}$/);
    for (const [argv, msg] of [
      [['issue', '--kiosk', 'kiosk-1', '--size', 'XL'], /--size is S, M or L/],
      [['issue', '--kiosk', 'kiosk-1', '--due', '30.15EUR'], /--due is AMOUNT:CUR/],
      [['issue'], /--kiosk is required/],
      [['nonsense'], /unknown seller command/],
      [['issue', '--kiosk', 'kiosk-1', '--colour', 'red'], /unknown option --colour/],
    ] as Array<[string[], RegExp]>) {
      const bad = await run([...argv, ...sd]);
      expect(bad.code).toBe(2);
      expect(bad.err).toMatch(msg);
    }
    const down = await run(['issue', '--kiosk', 'kiosk-1', '--broker', 'mqtt://127.0.0.1:1', '--connect-timeout', '1', '--no-label', ...sd]);
    expect(down.code).toBe(1);
    expect(down.err).toMatch(/no connection to the broker mqtt:\/\/127.0.0.1:1 within 1000 ms/);
  });

  it('serve records and acks kiosk events until stopped; events lists them; cancel withdraws', async () => {
    const stop = new AbortController();
    const i = io();
    const serving = sellerCommand(['serve', '--broker', broker.url, ...sd], { io: i, signal: stop.signal });
    await waitFor(() => i.err.includes('serving'), 'the seller to connect and subscribe');
    const id = kiosk.addEvent('shop-1', 'CLI-1', 'parcel.arrived', { lockerId: 'A05' });
    await waitFor(() => kiosk.store.outbox.get(id)?.ackedAt != null, 'the event to be acked');
    await waitFor(() => i.out.includes(id), 'the event line');
    const line = JSON.parse(i.out.trim().split('\n').find((l) => l.includes(id))!) as { event: { type: string; txn: string } };
    expect(line.event).toMatchObject({ type: 'parcel.arrived', txn: 'CLI-1' });
    stop.abort();
    expect(await serving).toBe(0);

    const ev = await run(['events', ...sd]);
    expect(JSON.parse(ev.out)).toMatchObject([{ eventId: id, kioskId: 'kiosk-1', type: 'parcel.arrived' }]);

    const cancelled = new Promise<void>((resolve) => kiosk.link.once('manifest', () => resolve()));
    const c = await run(['cancel', '--txn', 'CLI-1', '--broker', broker.url, ...sd]);
    expect(c.code).toBe(0);
    await cancelled;
    expect(kiosk.store.parcels.get('shop-1', 'CLI-1')).toBeNull();
    expect(existsSync(join(dir.dir, 'seller.db'))).toBe(true);
  });
});
