import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectKiosk, makeKiosk, sellerSigner, startBroker, waitFor, type Kiosk, type TestBroker } from '../support/mqtt.js';

describe('TCP_NODELAY on the kiosk socket', () => {
  let broker: TestBroker;
  let kiosk: Kiosk;
  // Every net.Socket in this process on which setNoDelay was called, with the value.
  const calls: Array<{ socket: net.Socket; on: boolean; port: number | undefined }> = [];

  beforeAll(async () => {
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the socket as `this`
    const original = net.Socket.prototype.setNoDelay;
    vi.spyOn(net.Socket.prototype, 'setNoDelay').mockImplementation(function (this: net.Socket, on?: boolean) {
      const call = { socket: this, on: on !== false, port: this.remotePort };
      // Called before the connection is made: read the far port once it is.
      this.once('connect', () => (call.port = this.remotePort));
      calls.push(call);
      return original.call(this, on);
    });
    broker = await startBroker('mosquitto');
    kiosk = makeKiosk({ url: broker.url, sellers: { s1: sellerSigner('s1').keys } });
    await connectKiosk(kiosk);
  });

  afterAll(async () => {
    vi.restoreAllMocks();
    await kiosk?.close();
    await broker?.close();
  });

  /** The kiosk's live socket to the broker: the one open socket in this process whose far end is the broker. */
  function liveSocket(): { socket: net.Socket; on: boolean } {
    const live = calls.filter((c) => c.port === broker.port && !c.socket.destroyed);
    expect(live).toHaveLength(1);
    return live[0];
  }

  it('is set on the socket of the first connection', () => {
    const first = liveSocket();
    expect(first.on).toBe(true);
    expect(first.socket.bytesWritten).toBeGreaterThan(0);
  });

  it('is set again on the new socket after a reconnect', async () => {
    const first = liveSocket().socket;
    const firstLocalPort = first.localPort;
    await broker.stop();
    await waitFor(() => !kiosk.link.connected, 'the kiosk to see the outage');
    await broker.start();
    await waitFor(() => kiosk.link.connected, 'the kiosk to reconnect', 15_000);
    const second = liveSocket();
    expect(second.socket).not.toBe(first);
    expect(second.socket.localPort).not.toBe(firstLocalPort);
    expect(second.on).toBe(true);
    // Every socket the link opened towards the broker had Nagle turned off, not only the live one.
    const towardsBroker = calls.filter((c) => c.port === broker.port);
    expect(towardsBroker.length).toBeGreaterThanOrEqual(2);
    expect(towardsBroker.every((c) => c.on)).toBe(true);
  });
});
