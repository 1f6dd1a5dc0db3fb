import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SimHooks } from './sim-hooks.js';
import type { Log } from '../core/log.js';
import { loadBundles, type Bundle } from './assets.js';
import { RequestGuard } from './guard.js';
import { bankLayout } from './bank.js';
import { HttpError, readJson, sendJson, Router, type Handler } from './http.js';
import type { ScreenFeed } from './screen-feed.js';
import { Live } from './live.js';
import type { Lang } from './messages/index.js';
import type { OperatorView } from './operator-state.js';
import { operatorHtml, publicHtml, simHtml } from './pages.js';
import { addSimRoutes } from './sim-routes.js';

export interface ScreenSettings {
  lang: Lang;
  timeZone: string;
  keypad: boolean;
  bankRows: number;
}

export interface UiOptions {
  host: string;
  port: number;
  kioskId: string;
  /** The current screen and its changes. */
  screen: ScreenFeed;
  /** The kiosk's clock (countdowns are measured on it). */
  now: () => number;
  settings: ScreenSettings;
  compartments(): Array<{ id: string; size: string; channel: number }>;
  /** The staff page's view (loopback only). */
  operator(): OperatorView;
  /** Keys typed on the screen's keypad or a keyboard at the kiosk, in order. */
  keys(keys: string): void;
  sims: SimHooks | null;
  log: Log;
  /** GET /metrics (src/ui/metrics.ts). */
  metrics?: Handler;
}

export interface UiServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** Staff pages answer only to the machine itself (an SSH tunnel for remote staff). */
function loopbackOnly(req: IncomingMessage): void {
  if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) throw new HttpError(403, 'the operator page answers on loopback only');
}

function sendHtml(res: ServerResponse, html: string): void {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

/**
 * The kiosk's local web server on 127.0.0.1 by default: the public screen
 * `/` with its push stream, the staff page `/operator`, and — only when every
 * driver is simulated — the hardware panel `/sim` and /sim/*.
 */
export async function startUi(opts: UiOptions): Promise<UiServer> {
  const router = new Router();
  const bundles = loadBundles();
  if (Object.values(bundles).includes(null)) opts.log.warn('page scripts are missing from dist/ui: run `npm run build`');
  const simulated = opts.sims !== null;
  const bank = bankLayout(opts.compartments().map((c) => c.id), opts.settings.bankRows);
  const live = new Live(opts.screen, opts.now, { lang: opts.settings.lang, timeZone: opts.settings.timeZone, keypad: opts.settings.keypad, bank });

  router.add('GET', /^\/$/, (req, res) => sendHtml(res, publicHtml(opts.settings.lang, req.url ?? '/')));
  router.add('GET', /^\/events$/, (req, res) => live.attach(req, res));
  router.add('GET', /^\/assets\/(kiosk|sim|operator)\.js$/, (_req, res, [name]) => {
    const js = bundles[name as Bundle];
    if (js === null) throw new HttpError(503, 'page scripts not built: run `npm run build`');
    res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' });
    res.end(js);
  });
  router.add('POST', /^\/api\/keys$/, async (req, res) => {
    const body = await readJson(req, 1024);
    const keys = body.keys;
    if (typeof keys !== 'string' || keys.length === 0 || keys.length > 32 || !/^[0-9*#]+$/.test(keys)) {
      throw new HttpError(400, '"keys" must be 1 to 32 of 0-9, * and #');
    }
    opts.keys(keys);
    sendJson(res, 200, { ok: true });
  });
  router.add('GET', /^\/operator$/, (req, res) => {
    loopbackOnly(req);
    sendHtml(res, operatorHtml(opts.kioskId));
  });
  if (opts.metrics) router.add('GET', /^\/metrics$/, opts.metrics);
  router.add('GET', /^\/operator\/state$/, (req, res) => {
    loopbackOnly(req);
    sendJson(res, 200, opts.operator());
  });
  if (opts.sims) {
    router.add('GET', /^\/sim$/, (_req, res) => sendHtml(res, simHtml(opts.kioskId)));
    addSimRoutes(router, opts.sims, {
      screen: () => opts.screen.get(),
      compartments: () => opts.compartments(),
      lang: opts.settings.lang,
      timeZone: opts.settings.timeZone,
      now: opts.now,
      events: () => opts.operator().events,
    });
  }

  const guard = new RequestGuard({ listenHost: opts.host });
  const server: Server = createServer((req, res) => {
    // Every request passes the guard (Host, Origin, content type, body size) before routing.
    if (guard.pass(req, res)) void router.handle(req, res);
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
  opts.log.info({ url, simulated }, 'kiosk page');
  return {
    url,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        live.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
