/**
 * systemd's notify protocol (sd_notify(3)): `KEY=value` lines in one datagram
 * to the AF_UNIX socket named by NOTIFY_SOCKET. Node has no unix datagram
 * socket, so this sends through `unix-dgram` (a small native addon built by
 * npm install, no system library needed); it is loaded only when systemd
 * asked for notifications. Spawning `systemd-notify` per message is not used:
 * systemd attributes a message by the sender's pid, and a short-lived child
 * that has exited before systemd reads the datagram is dropped (or needs
 * NotifyAccess=all, which lets any process in the unit ping the watchdog).
 */
import { createRequire } from 'node:module';

export interface Notifier {
  /** Sends one message, e.g. `{ READY: '1', STATUS: 'serving' }`. Never throws. */
  send(fields: Record<string, string>): void;
  close(): void;
}

interface DgramSocket {
  send(buf: Buffer, offset: number, length: number, path: string, cb: (err?: Error) => void): void;
  on(event: 'error', fn: (err: Error) => void): void;
  close(): void;
}

interface UnixDgram {
  createSocket(type: 'unix_dgram'): DgramSocket;
}

/** Formats fields as sd_notify lines; a value may not contain a newline. */
export function notifyPayload(fields: Record<string, string>): Buffer {
  return Buffer.from(
    Object.entries(fields)
      .map(([k, v]) => `${k}=${v.replace(/[\r\n]+/g, ' ')}`)
      .join('\n') + '\n',
    'utf8',
  );
}

/**
 * The notifier systemd asked for, or null when NOTIFY_SOCKET is unset (not
 * run by systemd, or Type= is not notify). Abstract-namespace sockets (`@…`)
 * are not reachable through unix-dgram: systemd uses a path for services
 * (/run/systemd/notify), so this only says so and returns null.
 */
export function openNotifier(env: NodeJS.ProcessEnv, onError: (msg: string) => void): Notifier | null {
  const path = env.NOTIFY_SOCKET;
  if (!path) return null;
  if (!path.startsWith('/')) {
    onError(`NOTIFY_SOCKET ${path} is not a filesystem path; systemd notifications are off`);
    return null;
  }
  let socket: DgramSocket;
  try {
    const req = createRequire(import.meta.url);
    socket = (req('unix-dgram') as UnixDgram).createSocket('unix_dgram');
  } catch (e) {
    onError(`cannot load unix-dgram (${(e as Error).message}): systemd notifications are off, so a watchdog would restart the kiosk`);
    return null;
  }
  socket.on('error', (err) => onError(`notify socket: ${err.message}`));
  let closed = false;
  return {
    send(fields) {
      if (closed) return;
      const buf = notifyPayload(fields);
      try {
        socket.send(buf, 0, buf.length, path, (err) => {
          if (err) onError(`sd_notify ${Object.keys(fields).join(',')}: ${err.message}`);
        });
      } catch (e) {
        onError(`sd_notify: ${(e as Error).message}`);
      }
    },
    close() {
      if (closed) return;
      closed = true;
      try {
        socket.close();
      } catch {
        // Closing a socket that failed to open is nothing to report.
      }
    },
  };
}
