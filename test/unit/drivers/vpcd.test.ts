/**
 * vpcd's framing, and the virtual card speaking it to a TCP server that plays
 * vpcd's side byte for byte (listening on port 0, so tests run side by side).
 */
import { createServer, type Server, type Socket } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { SIM_CARD_ATR, SIM_NTAG_ATR } from '../../../drivers/card/atr.js';
import { VpcdDecoder, classifyVpcd, encodeVpcd, type VpcdMessage } from '../../../drivers/card/vpcd-codec.js';
import { VpcdCardSim } from '../../../drivers/card/vpcd-sim.js';

describe('vpcd framing', () => {
  it('is a 2-byte big-endian length then the payload', () => {
    expect(encodeVpcd(Buffer.from([0x04])).toString('hex')).toBe('000104');
    expect(encodeVpcd(Buffer.from('00a4020c025331', 'hex')).toString('hex')).toBe('000700a4020c025331');
  });

  it('1-byte payloads are control messages; longer ones are APDUs', () => {
    expect(classifyVpcd(Buffer.from([0]))).toEqual({ kind: 'control', control: 'power-off' });
    expect(classifyVpcd(Buffer.from([1]))).toEqual({ kind: 'control', control: 'power-on' });
    expect(classifyVpcd(Buffer.from([2]))).toEqual({ kind: 'control', control: 'reset' });
    expect(classifyVpcd(Buffer.from([4]))).toEqual({ kind: 'control', control: 'get-atr' });
    expect(classifyVpcd(Buffer.from([9]))).toEqual({ kind: 'unknown-control', code: 9 });
    expect(classifyVpcd(Buffer.from([0, 0xb0]))).toMatchObject({ kind: 'apdu' });
  });

  it('reassembles messages split byte by byte, and skips zero-length ones', () => {
    const wire = Buffer.concat([encodeVpcd(Buffer.from([4])), Buffer.from([0, 0]), encodeVpcd(Buffer.from('00b0000010', 'hex'))]);
    const d = new VpcdDecoder();
    const out: VpcdMessage[] = [];
    for (const b of wire) out.push(...d.push(Buffer.from([b])));
    expect(out).toEqual([
      { kind: 'control', control: 'get-atr' },
      { kind: 'apdu', apdu: Buffer.from('00b0000010', 'hex') },
    ]);
    expect(d.pending).toBe(0);
  });

  it('fuzz: 100,000 streams of messages cut at random places decode to the same messages; random bytes never throw', () => {
    const payloadArb = fc.oneof(
      fc.constantFrom(0, 1, 2, 4).map((c) => Buffer.from([c])),
      fc.uint8Array({ minLength: 2, maxLength: 40 }).map((a) => Buffer.from(a)),
    );
    fc.assert(
      fc.property(fc.array(payloadArb, { maxLength: 6 }), fc.array(fc.nat(), { maxLength: 6 }), (payloads, cuts) => {
        const wire = Buffer.concat(payloads.map(encodeVpcd));
        const points = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
        const d = new VpcdDecoder();
        const got: VpcdMessage[] = [];
        let from = 0;
        for (const p of [...points, wire.length]) {
          got.push(...d.push(wire.subarray(from, p)));
          from = p;
        }
        if (got.length !== payloads.length || d.pending !== 0) return false;
        return got.every((m, i) => (m.kind === 'apdu' ? m.apdu.equals(payloads[i]) : payloads[i].length === 1));
      }),
      { numRuns: 100_000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        new VpcdDecoder().push(Buffer.from(bytes));
      }),
      { numRuns: 10_000 },
    );
  }, 120_000);
});

/** vpcd's side of the socket: sends what pcscd would, collects the card's answers. */
class FakeVpcd {
  readonly server: Server;
  socket: Socket | undefined;
  private decoder = new VpcdDecoder();
  private waiters: ((b: Buffer) => void)[] = [];
  private answers: Buffer[] = [];
  closed = false;

  constructor() {
    this.server = createServer((s) => {
      this.socket = s;
      s.on('data', (chunk: Buffer) => {
        for (const m of this.decoder.push(chunk)) {
          const payload = m.kind === 'apdu' ? m.apdu : Buffer.from([m.kind === 'unknown-control' ? m.code : 0xff]);
          const w = this.waiters.shift();
          if (w) w(payload);
          else this.answers.push(payload);
        }
      });
      s.on('close', () => (this.closed = true));
      // like vpcd: poll for the ATR as soon as the card is accepted
      s.write(encodeVpcd(Buffer.from([0x04])));
    });
  }

  listen(): Promise<number> {
    return new Promise((resolve) => {
      this.server.listen(0, '127.0.0.1', () => {
        const addr = this.server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : 0);
      });
    });
  }

  send(payload: Buffer): void {
    this.socket!.write(encodeVpcd(payload));
  }

  /** The card's next answer. */
  next(): Promise<Buffer> {
    const ready = this.answers.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async exchange(payload: Buffer): Promise<Buffer> {
    this.send(payload);
    return this.next();
  }

  close(): Promise<void> {
    this.socket?.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('VpcdCardSim speaking to vpcd', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  async function setup() {
    const vpcd = new FakeVpcd();
    const port = await vpcd.listen();
    const sim = new VpcdCardSim({ port, insertTimeoutMs: 2000 });
    cleanup.push(() => vpcd.close(), () => sim.remove());
    return { vpcd, sim };
  }

  it('insert() resolves once vpcd has polled the card, and the ATR answers that poll', async () => {
    const { vpcd, sim } = await setup();
    await sim.insertCard({ pin: '1234', files: { '5331': 'PKS1.abc' } });
    expect(sim.inserted).toBe(true);
    expect((await vpcd.next()).equals(SIM_CARD_ATR)).toBe(true);
  });

  it('power on, VERIFY and READ BINARY go over the socket; power off drops the PIN state', async () => {
    const { vpcd, sim } = await setup();
    await sim.insertCard({ pin: '1234', files: { '5331': 'PKS1.abc' } });
    await vpcd.next(); // ATR
    vpcd.send(Buffer.from([0x01]));
    expect((await vpcd.exchange(Buffer.from('002000010431323334', 'hex'))).toString('hex')).toBe('9000');
    expect(sim.isPowered).toBe(true);
    expect((await vpcd.exchange(Buffer.from('00a4020c025331', 'hex'))).toString('hex')).toBe('9000');
    expect((await vpcd.exchange(Buffer.from('00b00000ff', 'hex'))).toString('latin1')).toBe('PKS1.abc\x62\x82');
    vpcd.send(Buffer.from([0x00]));
    expect((await vpcd.exchange(Buffer.from('00a4020c025331', 'hex'))).toString('hex')).toBe('9000');
    expect((await vpcd.exchange(Buffer.from('00b00000ff', 'hex'))).toString('hex')).toBe('6982');
    expect(sim.isPowered).toBe(false);
    expect(sim.commands()).toEqual(['VERIFY', 'SELECT 5331', 'READ BINARY 0 255', 'SELECT 5331', 'READ BINARY 0 255']);
  });

  it('a tag answers FF B0 page reads from its NDEF memory', async () => {
    const { vpcd, sim } = await setup();
    await sim.insertTag('PKS1.tag');
    expect((await vpcd.next()).equals(SIM_NTAG_ATR)).toBe(true);
    const page4 = await vpcd.exchange(Buffer.from('ffb0000410', 'hex'));
    expect(page4.subarray(0, 4).toString('hex')).toBe('030fd101');
    expect(page4.subarray(16).toString('hex')).toBe('9000');
  });

  it('a held command is never answered, and remove() closes the socket', async () => {
    const { vpcd, sim } = await setup();
    await sim.insertCard({ pin: '1234' });
    await vpcd.next();
    const held = sim.holdNextCommand();
    vpcd.send(Buffer.from('002000010431323334', 'hex'));
    await held;
    const answer = vpcd.next();
    let answered = false;
    void answer.then(() => (answered = true));
    await sim.remove();
    await new Promise((r) => setTimeout(r, 50));
    expect(answered).toBe(false);
    expect(vpcd.closed).toBe(true);
    expect(sim.inserted).toBe(false);
  });

  it('insert() rejects with a reason when nothing listens on the port', async () => {
    const vpcd = new FakeVpcd();
    const port = await vpcd.listen();
    await vpcd.close();
    const sim = new VpcdCardSim({ port, insertTimeoutMs: 1000 });
    await expect(sim.insertCard({ pin: '1' })).rejects.toThrow(/pcscd-vpcd\.sh/);
    expect(sim.inserted).toBe(false);
  });
});
