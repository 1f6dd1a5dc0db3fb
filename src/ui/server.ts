import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Sims } from '../../drivers/devices.js';
import type { Log } from '../log.js';
import { sendJson, Router } from './http.js';
import { pageHtml } from './page.js';
import { addSimRoutes } from './sim-routes.js';

export interface UiState {
  screen(): { id: string; text: string };
  compartments(): Array<{ id: string; size: string; channel: number; state: string; doorOpen: boolean | null }>;
  link(): { connected: boolean };
  outbox(): { pending: number };
  /** Recent happenings in words (audit, and what the seller received in the demo). */
  events(): string[];
}

export interface UiServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * The kiosk's local web server on 127.0.0.1 by default: the page, its state
 * API, and — only when every driver is simulated — /sim/*.
 */
export async function startUi(opts: {
  host: string;
  port: number;
  kioskId: string;
  state: UiState;
  sims: Sims | null;
  log: Log;
}): Promise<UiServer> {
  const router = new Router();
  const html = pageHtml({ kioskId: opts.kioskId, simulated: opts.sims !== null });
  router.add('GET', /^\/$/, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  router.add('GET', /^\/api\/state$/, (_req, res) => {
    const s = opts.state;
    sendJson(res, 200, { screen: s.screen(), compartments: s.compartments(), link: s.link(), outbox: s.outbox(), events: s.events() });
  });
  if (opts.sims) addSimRoutes(router, opts.sims, opts.state);

  const server: Server = createServer((req, res) => {
    void router.handle(req, res);
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}/`;
  opts.log.info({ url }, 'kiosk page');
  return {
    url,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
