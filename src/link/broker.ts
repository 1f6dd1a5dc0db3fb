/**
 * The embedded broker for a kiosk with no network broker (demo, bench, a
 * stand-alone site): aedes 1.2 (MQTT 3.1.1, in-memory sessions and retained
 * messages) on 127.0.0.1, Nagle off on every accepted socket.
 *
 * aedes has no shared subscriptions; a `$share/{group}/{filter}` subscription
 * is taken here as a plain `{filter}` so the reference seller can use the same
 * topic everywhere. (Several seller processes on one embedded broker then
 * each get every message; sellers treat repeats as repeats.)
 */
import { Aedes } from 'aedes';
import net from 'node:net';
import type { Log } from '../core/log.js';
import { silentLog } from '../core/log.js';

export interface EmbeddedBroker {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface EmbeddedBrokerOptions {
  /** Default 127.0.0.1: the embedded broker is for this machine. */
  host?: string;
  /** 0: any free port (read it back from the result). */
  port: number;
  log?: Log;
}

const SHARE = /^\$share\/[^/+#]+\/(.+)$/;

export async function startEmbeddedBroker(o: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const host = o.host ?? '127.0.0.1';
  const log = (o.log ?? silentLog).child({ module: 'broker' });
  const aedes = await Aedes.createBroker({
    authorizeSubscribe: (_client, sub, done) => {
      const m = SHARE.exec(sub.topic);
      if (m !== null) sub.topic = m[1]!;
      done(null, sub);
    },
  });
  aedes.on('clientError', (client, err) => log.debug({ clientId: client?.id, err: err.message }, 'client error'));
  aedes.on('connectionError', (_client, err) => log.debug({ err: err.message }, 'connection error'));

  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    aedes.handle(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new Error(
          e.code === 'EADDRINUSE'
            ? `embedded broker: port ${o.port} on ${host} is in use; set broker.embeddedPort to a free port or 0`
            : `embedded broker: cannot listen on ${host}:${o.port}: ${e.message}`,
        ),
      ),
    );
    server.listen(o.port, host, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  log.info({ host, port }, 'embedded broker listening');
  let closing: Promise<void> | null = null;
  return {
    url: `mqtt://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close();
        for (const s of sockets) s.destroy();
        aedes.close(() => resolve());
      });
      return closing;
    },
  };
}
