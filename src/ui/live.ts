/**
 * Server push for the public page (Server-Sent Events): on connect the page
 * gets what it may know about this kiosk (languages, keypad, the bank's
 * layout) and the current screen; after that, each new screen as it is set.
 * EventSource reconnects by itself (we ask for 1 s), so a kiosk restart shows
 * again within a second or two, with no polling.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Screen } from '../domain/screens.js';
import type { BankLayout } from './bank.js';
import type { ScreenFeed } from './screen-feed.js';
import type { Lang } from './messages/index.js';

/** A screen on the wire: its id and params, nothing else. */
export interface WireScreen {
  id: Screen['id'];
  params: Record<string, unknown>;
}

export function toWire(s: Screen): WireScreen {
  const { id, ...params } = s;
  return { id, params };
}

/** What the public page may know about the kiosk: nothing about parcels or occupancy. */
export interface PublicKiosk {
  lang: Lang;
  timeZone: string;
  keypad: boolean;
  bank: BankLayout;
}

const HEARTBEAT_MS = 20_000;

export class Live {
  private readonly clients = new Set<ServerResponse>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly feed: ScreenFeed,
    private readonly now: () => number,
    private readonly kiosk: PublicKiosk,
  ) {
    feed.onChange((s) => this.broadcast('screen', this.screenMessage(s)));
    // A comment line now and then keeps proxies and idle sockets from closing a quiet stream.
    this.heartbeat = setInterval(() => {
      for (const res of this.clients) res.write(': \n\n');
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  get clientCount(): number {
    return this.clients.size;
  }

  attach(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 1000\n\n');
    this.send(res, 'kiosk', this.kiosk);
    this.send(res, 'screen', this.screenMessage(this.feed.get()));
    this.clients.add(res);
    const drop = (): void => void this.clients.delete(res);
    req.on('close', drop);
    res.on('error', drop);
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private screenMessage(s: Screen): { screen: WireScreen; now: number } {
    // The kiosk's own time goes with each screen, so a countdown is right even if the page's clock is not.
    return { screen: toWire(s), now: this.now() };
  }

  private broadcast(event: string, data: unknown): void {
    for (const res of this.clients) this.send(res, event, data);
  }

  private send(res: ServerResponse, event: string, data: unknown): void {
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }
}
