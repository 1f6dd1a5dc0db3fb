/**
 * The gate in front of every request to the kiosk's web server. A web page
 * the kiosk's browser (or anyone's) opens elsewhere can send "simple"
 * cross-origin POSTs (text/plain, no preflight), and DNS rebinding can give
 * a foreign name our address; either could drive /sim. So: the Host must be
 * one of ours, a state-changing request must be same-origin JSON, and bodies
 * are capped in size and in number at once, so uploads cannot fill memory.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import net from 'node:net';
import { hostname } from 'node:os';

/** A camera frame (base64 PNG in JSON) may be this large; the only large body there is. */
export const UPLOAD_LIMIT = 8 * 1024 * 1024;
/** Every other body. */
export const SMALL_LIMIT = 64 * 1024;
/** Bodies above SMALL_LIMIT being received and handled at once; more get 429. */
export const MAX_UPLOADS = 2;

const UPLOAD_PATHS = new Set(['/sim/scan']);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** True for names and addresses that can only mean this machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) return h === '::1' || h.startsWith('::ffff:127.');
  return false;
}

/** The host part of a Host header ("name:port", "[v6]:port"), lower-cased; null when malformed. */
function hostPart(header: string): string | null {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::\d{1,5})?$/.exec(header.trim());
  return m ? m[1].toLowerCase().replace(/^\[|\]$/g, '') : null;
}

export interface GuardOptions {
  /** The address the server listens on (config http.host). */
  listenHost: string;
}

/**
 * Host names that reach this kiosk: loopback, any IP literal (a rebinding
 * attack needs a name, never an address), the configured host and the
 * machine's own name.
 */
function hostAllowed(host: string, o: GuardOptions): boolean {
  if (isLoopbackHost(host) || net.isIP(host) !== 0) return true;
  const own = hostname().toLowerCase();
  return host === o.listenHost.toLowerCase() || host === own || host === `${own}.local`;
}

export type Verdict = { ok: true; release: () => void } | { ok: false; status: number; error: string };

/** One per server: it counts the uploads being handled there. */
export class RequestGuard {
  private uploads = 0;

  constructor(private readonly o: GuardOptions) {}

  /** The number of large bodies being handled now. */
  get uploadsInFlight(): number {
    return this.uploads;
  }

  /** Checks a request before any route sees it. A large body takes an upload slot until `release`. */
  check(req: IncomingMessage): Verdict {
    const o = this.o;
    const host = hostPart(req.headers.host ?? '');
    if (host === null || !hostAllowed(host, o)) {
      return { ok: false, status: 421, error: `Host ${JSON.stringify(req.headers.host ?? '')} is not this kiosk` };
    }
    const method = req.method ?? 'GET';
    if (SAFE_METHODS.has(method)) return { ok: true, release: () => undefined };

    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${req.headers.host ?? ''}`) {
      return { ok: false, status: 403, error: `requests from ${JSON.stringify(origin)} may not change this kiosk` };
    }
    if (req.headers['sec-fetch-site'] === 'cross-site') {
      return { ok: false, status: 403, error: 'cross-site requests may not change this kiosk' };
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/json') {
      return { ok: false, status: 415, error: 'send the body as JSON with Content-Type: application/json' };
    }
    const lengthHeader = req.headers['content-length'];
    if (lengthHeader === undefined || !/^\d{1,12}$/.test(lengthHeader)) {
      return { ok: false, status: 411, error: 'a Content-Length is required' };
    }
    const length = Number(lengthHeader);
    const path = (req.url ?? '/').split('?')[0];
    const limit = UPLOAD_PATHS.has(path) ? UPLOAD_LIMIT : SMALL_LIMIT;
    if (length > limit) return { ok: false, status: 413, error: `body of ${length} bytes is over the ${limit}-byte limit for ${path}` };
    if (length <= SMALL_LIMIT) return { ok: true, release: () => undefined };
    if (this.uploads >= MAX_UPLOADS) {
      return { ok: false, status: 429, error: `${MAX_UPLOADS} uploads are being handled already: try again in a moment` };
    }
    this.uploads++;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (!released) this.uploads--;
        released = true;
      },
    };
  }

  /**
   * The hook the server calls first for each request: true to go on; false
   * when it has already answered (and the connection closes, so an unread
   * body is not received).
   */
  pass(req: IncomingMessage, res: ServerResponse): boolean {
    const v = this.check(req);
    if (!v.ok) {
      const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', connection: 'close' };
      if (v.status === 429) headers['retry-after'] = '1';
      res.writeHead(v.status, headers);
      res.end(JSON.stringify({ error: v.error }));
      return false;
    }
    res.once('close', v.release);
    return true;
  }
}
