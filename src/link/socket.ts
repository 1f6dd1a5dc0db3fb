/**
 * The socket under one MQTT connection: TCP or TLS to the broker with Nagle
 * off (without TCP_NODELAY a request/reply round trip on loopback takes
 * ~88 ms instead of ~0.1 ms: the reply waits for a delayed ACK), wrapped in
 * the inbound guard.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { Duplex } from 'node:stream';
import type tls from 'node:tls';
import { LinkError } from './errors.js';
import type { MqttLevel } from './mqtt-checks.js';
import { InboundFramer, MAX_INBOUND_PACKET, type Discarded } from './mqtt-guard.js';

export interface BrokerAddress {
  secure: boolean;
  host: string;
  port: number;
}

/** TLS material as file paths; read at every connect so a renewed certificate is picked up. */
export interface TlsFiles {
  ca?: string;
  cert?: string;
  key?: string;
}

/** `mqtt://host[:1883]` or `mqtts://host[:8883]`. Throws LinkError('bad-url') with what to fix. */
export function parseBrokerUrl(url: string): BrokerAddress {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new LinkError('bad-url', `broker URL ${JSON.stringify(url)} is not a URL: give mqtt://host:port or mqtts://host:port`);
  }
  if ((u.protocol !== 'mqtt:' && u.protocol !== 'mqtts:') || u.hostname === '') {
    throw new LinkError('bad-url', `broker URL ${JSON.stringify(url)}: give mqtt://host:port or mqtts://host:port`);
  }
  const secure = u.protocol === 'mqtts:';
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  return { secure, host, port: u.port === '' ? (secure ? 8883 : 1883) : Number(u.port) };
}

function readPem(what: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new LinkError('tls-files', `cannot read the broker ${what} ${file}: ${(e as Error).message}`);
  }
}

/** node:tls is loaded only for an mqtts:// broker: a plain kiosk's start skips it and the modules it brings. */
const loadBuiltin = createRequire(import.meta.url);

/** Opens the TCP or TLS socket (throws LinkError when a TLS file cannot be read). */
export function openBrokerSocket(addr: BrokerAddress, files: TlsFiles = {}): net.Socket {
  let socket: net.Socket;
  if (addr.secure) {
    const options: tls.ConnectionOptions = { host: addr.host, port: addr.port, servername: net.isIP(addr.host) ? undefined : addr.host };
    if (files.ca !== undefined) options.ca = readPem('CA certificate', files.ca);
    if (files.cert !== undefined) options.cert = readPem('client certificate', files.cert);
    if (files.key !== undefined) options.key = readPem('client key', files.key);
    socket = (loadBuiltin('node:tls') as typeof tls).connect(options);
  } else {
    socket = net.connect({ host: addr.host, port: addr.port });
  }
  socket.setNoDelay(true);
  return socket;
}

/** Error of a stream the guard cut: carries a `code` so mqtt.js reports it as an error event. */
export class GuardError extends Error {
  readonly code = 'EMQTTGUARD';
  constructor(message: string) {
    super(message);
    this.name = 'GuardError';
  }
}

/**
 * A duplex stream over a broker socket that passes on, towards mqtt.js, only
 * whole packets the InboundFramer accepts. On the first bad packet it calls
 * `onRefused` and destroys itself and the socket; an oversized PUBLISH it
 * skipped is told to `onDiscarded`.
 */
export class GuardedStream extends Duplex {
  private readonly framer: InboundFramer;

  constructor(
    readonly socket: net.Socket,
    onRefused: (reason: string) => void,
    opts: { level?: MqttLevel; onDiscarded?: (d: Discarded) => void } = {},
  ) {
    super({ allowHalfOpen: false });
    this.framer = new InboundFramer(MAX_INBOUND_PACKET, opts.level ?? 4);
    socket.on('data', (chunk: Buffer) => {
      const r = this.framer.feed(chunk);
      if (!r.ok) {
        onRefused(r.reason);
        this.destroy(new GuardError(r.reason));
        return;
      }
      for (const d of r.discarded) opts.onDiscarded?.(d);
      for (const p of r.packets) {
        if (!this.push(p)) socket.pause();
      }
    });
    socket.on('end', () => this.push(null));
    socket.on('error', (e) => this.destroy(e));
    socket.on('close', () => {
      if (!this.destroyed) this.destroy();
    });
  }

  override _read(): void {
    if (this.socket.isPaused()) this.socket.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.socket.write(chunk, cb);
  }

  // mqtt-packet corks the stream and writes a packet in pieces: send them as one segment.
  override _writev(chunks: Array<{ chunk: Buffer }>, cb: (e?: Error | null) => void): void {
    this.socket.write(Buffer.concat(chunks.map((c) => c.chunk)), cb);
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.socket.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    this.socket.destroy();
    cb(err);
  }
}
