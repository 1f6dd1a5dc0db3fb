import net from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/link/index.js';
import { createLogger } from '../../src/core/log.js';
import { makeKiosk, sellerSigner, sleep, waitFor, type Kiosk } from '../support/mqtt.js';

/** A "broker" that answers every packet the client sends with the same bytes. */
async function badBroker(reply: Buffer): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    connections++;
    sockets.add(s);
    s.on('error', () => s.destroy());
    s.on('close', () => sockets.delete(s));
    s.on('data', () => s.write(reply));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    port: (srv.address() as net.AddressInfo).port,
    connections: () => connections,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        srv.close(() => r());
      }),
  };
}

function capturingLog(): { log: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { log: createLogger({ level: 'debug', destination }), lines };
}

describe('a broken broker', () => {
  let kiosk: Kiosk | null = null;
  let good: EmbeddedBroker | null = null;

  afterEach(async () => {
    await kiosk?.close();
    await good?.close();
    kiosk = null;
    good = null;
  });

  const cases: Array<[string, string, RegExp]> = [
    ['a CONNACK with 4 bytes (20 04 00 00 01 13)', '200400000113', /CONNACK of 4 bytes/],
    ['a CONNACK with an unknown return code', '20020042', /unknown return code/],
    ['a PUBLISH before the CONNACK', '30050003612f62', /before its CONNACK/],
    ['a CONNACK then a PUBLISH at QoS 3', '2002000036050003612f62', /QoS 3/],
    ['a packet type only a client sends', '20020000c000', /never sends/],
    ['a length field of 5 bytes', '20ffffffff7f', /longer than 4 bytes/],
  ];

  it.each(cases)('does not take the kiosk down: %s; it keeps retrying and later connects to a good broker', async (_name, hex, reason) => {
    const bad = await badBroker(Buffer.from(hex, 'hex'));
    const { log, lines } = capturingLog();
    const errors: unknown[] = [];
    const onUncaught = (e: unknown) => errors.push(e);
    process.on('uncaughtException', onUncaught);
    try {
      kiosk = makeKiosk({ url: `mqtt://127.0.0.1:${bad.port}`, sellers: { s1: sellerSigner('s1').keys }, log });
      kiosk.link.start();
      await waitFor(() => bad.connections() >= 3, 'three connection attempts', 10_000);
      expect(kiosk.link.connected).toBe(false);
      expect(lines.some((l) => reason.test(l))).toBe(true);
      // One warning for the failure, not one per retry.
      expect(lines.filter((l) => reason.test(l) && l.includes('"level":40')).length).toBe(1);

      // The bad broker goes, a good one takes its port: the same link connects.
      await bad.close();
      good = await startEmbeddedBroker({ port: bad.port });
      await waitFor(() => kiosk!.link.connected, 'the link to connect to the good broker', 10_000);
      await sleep(20);
      expect(errors).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
      await bad.close();
    }
  });

  it('takes an unreadable TLS file as a failed attempt, says which file, and retries', async () => {
    const bad = await badBroker(Buffer.from('200200', 'hex'));
    const { log, lines } = capturingLog();
    try {
      kiosk = makeKiosk({
        url: `mqtts://127.0.0.1:${bad.port}`,
        sellers: { s1: sellerSigner('s1').keys },
        log,
        link: { tls: { ca: '/nonexistent/ca.pem' } },
      });
      kiosk.link.start();
      await sleep(400);
      expect(kiosk.link.connected).toBe(false);
      expect(bad.connections()).toBe(0);
      expect(lines.some((l) => l.includes('cannot read the broker CA certificate /nonexistent/ca.pem'))).toBe(true);
      expect(lines.filter((l) => l.includes('/nonexistent/ca.pem')).length).toBeGreaterThan(1); // Retried (later ones at debug).
    } finally {
      await bad.close();
    }
  });
});
