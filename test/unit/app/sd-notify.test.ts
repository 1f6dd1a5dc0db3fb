import { afterEach, describe, expect, it } from 'vitest';
import { notifyPayload, openNotifier } from '../../../src/app/sd-notify.js';
import { startNotifySocket, type NotifySocket } from '../../support/notify-socket.js';
import { tempDir } from '../../support/tmp.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

async function socket(): Promise<NotifySocket> {
  const t = tempDir('pk-notify-');
  const s = await startNotifySocket(t.dir);
  cleanups.push(() => s.stop(), t.cleanup);
  return s;
}

describe('sd_notify over a real AF_UNIX datagram socket', () => {
  it('delivers each message as KEY=value lines in one datagram', async () => {
    const s = await socket();
    const errors: string[] = [];
    const n = openNotifier({ NOTIFY_SOCKET: s.path }, (m) => errors.push(m));
    expect(n).not.toBeNull();
    n!.send({ READY: '1', STATUS: 'serving\nsecond line' });
    n!.send({ WATCHDOG: '1' });
    await s.waitFor((m) => m.WATCHDOG === '1');
    expect(s.messages()).toEqual([{ READY: '1', STATUS: 'serving second line' }, { WATCHDOG: '1' }]);
    n!.close();
    n!.send({ STOPPING: '1' }); // after close: dropped, no throw
    expect(errors).toEqual([]);
  });

  it('is off without NOTIFY_SOCKET, and says why for an abstract socket', () => {
    const errors: string[] = [];
    expect(openNotifier({}, (m) => errors.push(m))).toBeNull();
    expect(errors).toEqual([]);
    expect(openNotifier({ NOTIFY_SOCKET: '@abstract' }, (m) => errors.push(m))).toBeNull();
    expect(errors[0]).toMatch(/not a filesystem path/);
  });

  it('reports a socket nobody listens on, without throwing', () => {
    const errors: string[] = [];
    const n = openNotifier({ NOTIFY_SOCKET: '/nonexistent/notify.sock' }, (m) => errors.push(m));
    n!.send({ READY: '1' });
    n!.close();
    expect(errors.join()).toMatch(/READY/);
  });

  it('formats the payload byte for byte', () => {
    expect(notifyPayload({ READY: '1', STATUS: 'a' }).toString()).toBe('READY=1\nSTATUS=a\n');
  });
});
