/**
 * The README's run command, as a newcomer uses it: the built binary starts the
 * demo (embedded broker, reference seller, kiosk), prints parcels and codes; a
 * pickup on the page's /sim API reaches the seller; SIGTERM stops it cleanly;
 * a second start takes the old demo parcels back and loads new ones.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/config/index.js';
import { assertBuilt } from '../support/built.js';
import { tempDir } from '../support/tmp.js';

const root = packageRoot();
const children: ChildProcess[] = [];
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const c of cleanups.splice(0)) c();
});

interface Demo {
  child: ChildProcess;
  url: string;
  parcels: Array<{ txn: string; code: string; compartment: string }>;
  out: () => string;
}

async function startDemo(dataDir: string): Promise<Demo> {
  assertBuilt(root);
  const child = spawn(process.execPath, [join(root, 'bin/pickup-kiosk.js'), 'start', '--data-dir', dataDir, '--http-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const end = Date.now() + 60_000;
  while (!out.includes('To pick one up')) {
    if (Date.now() > end || child.exitCode !== null) throw new Error(`the demo did not come up:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const url = /open (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)![1];
  const parcels = [...out.matchAll(/parcel (\S+) {2}code (\d+) {2}\(in ([A-Z]\d\d)/g)].map((m) => ({ txn: m[1], code: m[2], compartment: m[3] }));
  return { child, url, parcels, out: () => out };
}

async function post(url: string, path: string, body: unknown): Promise<{ screen: { id: string; text: string }; accepted?: boolean }> {
  const r = await fetch(new URL(path, url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await r.json()) as { screen: { id: string; text: string } };
}

async function until<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const end = Date.now() + 15_000;
  for (;;) {
    const v = await get();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('npm start: the demo', () => {
  it('prints parcels whose codes open their doors; the seller gets the receipt; it stops on SIGTERM and starts again', async () => {
    const t = tempDir('pk-demo-');
    cleanups.push(t.cleanup);
    const d = await startDemo(t.dir);
    expect(d.parcels).toHaveLength(3);
    expect(d.out()).toMatch(/courier 9000, PIN \d{8}/);
    const p = d.parcels[0];
    const state = () => fetch(new URL('/operator/state', d.url)).then((r) => r.json() as Promise<{ events: string[]; outbox: { pending: number }; link: { connected: boolean } }>);
    const screen = () => fetch(new URL('/sim/state', d.url)).then((r) => r.json() as Promise<{ screen: { id: string } }>);
    // both pages the banner names answer
    expect(d.out()).toContain(`${d.url}sim`);
    expect((await fetch(d.url)).status).toBe(200);
    expect((await state()).link.connected).toBe(true);

    expect((await post(d.url, '/sim/keypad', { keys: `${p.txn.replace(/\D/g, '')}#` })).screen.id).toBe('enter-code');
    await post(d.url, '/sim/keypad', { keys: `${p.code}#` });
    await until('the door to open', screen, (s) => s.screen.id === 'door-open');
    await post(d.url, `/sim/door/${p.compartment}`, { open: true });
    await post(d.url, `/sim/door/${p.compartment}`, { open: false });
    const s = await until('the seller to record the receipt', state, (v) => v.events.some((e) => e.startsWith(`seller got parcel.handed_over ${p.txn}`)) && v.outbox.pending === 0);
    expect(s.events.find((e) => e.includes(`parcel.handed_over ${p.txn}`))).toMatch(/proof ok/);

    // The last demo parcel is paid at pickup, with the cash buttons of /sim.
    const paying = d.parcels[2];
    expect(d.out()).toMatch(new RegExp(`parcel ${paying.txn} .*pay ¥1,500 at pickup`));
    expect(d.out()).not.toMatch(new RegExp(`parcel ${p.txn} .*pay `));
    await post(d.url, '/sim/keypad', { keys: `${paying.txn.replace(/\D/g, '')}#` });
    await post(d.url, '/sim/keypad', { keys: `${paying.code}#` });
    await until('the payment screen', screen, (v) => v.screen.id === 'pay');
    expect((await post(d.url, '/sim/cash', { amount: 1000, currency: 'JPY' })).accepted).toBe(true);
    expect((await post(d.url, '/sim/cash', { amount: 500, currency: 'JPY' })).accepted).toBe(true);
    await until('the paid door to open', screen, (v) => v.screen.id === 'door-open');
    await post(d.url, `/sim/door/${paying.compartment}`, { open: true });
    await post(d.url, `/sim/door/${paying.compartment}`, { open: false });
    await until('the seller to record the paid receipt', state, (v) => v.events.some((e) => e.startsWith(`seller got parcel.handed_over ${paying.txn}`)));

    const asked = Date.now();
    d.child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => d.child.once('exit', (c) => r(c)));
    expect(code).toBe(0);
    // Nothing left pending keeps it alive (a loading step's 15 s screen timeout once did).
    expect(Date.now() - asked).toBeLessThan(10_000);
    // the banner prints the demo codes for the person trying it; no log line carries one
    const logLines = d.out().split('\n').filter((l) => l.startsWith('{'));
    for (const x of d.parcels) expect(logLines.filter((l) => l.includes(x.code))).toEqual([]);

    const again = await startDemo(t.dir);
    expect(again.parcels).toHaveLength(3);
    // the parcel nobody picked up went back to the seller, and the compartments were reused
    expect(new Set(again.parcels.map((x) => x.compartment))).toEqual(new Set(d.parcels.map((x) => x.compartment)));
    const state2 = () => fetch(new URL('/operator/state', again.url)).then((r) => r.json() as Promise<{ events: string[] }>);
    const back = await until('the returns to reach the seller', state2, (v) => v.events.filter((e) => e.startsWith('seller got parcel.returned')).length === 1);
    const returned = back.events.filter((e) => e.startsWith('seller got parcel.returned')).map((e) => e.split(' ')[3]);
    expect(returned).toEqual([d.parcels[1].txn]);
    again.child.kill('SIGTERM');
    await new Promise((r) => again.child.once('exit', r));
  }, 120_000);
});
