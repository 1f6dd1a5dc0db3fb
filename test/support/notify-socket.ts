/**
 * A real systemd NOTIFY_SOCKET for tests: an AF_UNIX datagram socket bound by
 * a small python3 process (Node cannot bind one), printing each datagram it
 * receives as one JSON string per line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const RECEIVER = `
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print(json.dumps("bound"), flush=True)
while True:
    data = s.recv(65536)
    print(json.dumps(data.decode("utf-8", "replace")), flush=True)
`;

export interface NotifySocket {
  path: string;
  /** Every datagram so far, parsed into its KEY=value fields. */
  messages(): Array<Record<string, string>>;
  /** Waits (real time, up to `ms`) until some message satisfies `ok`. */
  waitFor(ok: (m: Record<string, string>) => boolean, ms?: number): Promise<Record<string, string>>;
  stop(): void;
}

function parse(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

export async function startNotifySocket(dir: string): Promise<NotifySocket> {
  const path = join(dir, 'notify.sock');
  const child: ChildProcess = spawn('python3', ['-c', RECEIVER, path], { stdio: ['ignore', 'pipe', 'pipe'] });
  const messages: Array<Record<string, string>> = [];
  let buf = '';
  let bound = false;
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  child.stdout!.on('data', (b: Buffer) => {
    buf += b.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = JSON.parse(buf.slice(0, i)) as string;
      buf = buf.slice(i + 1);
      if (line === 'bound') bound = true;
      else messages.push(parse(line));
    }
  });
  const end = Date.now() + 10_000;
  while (!bound || !existsSync(path)) {
    if (Date.now() > end || child.exitCode !== null) throw new Error(`notify socket receiver did not start: ${err}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    path,
    messages: () => messages.slice(),
    async waitFor(ok, ms = 15_000) {
      const stop = Date.now() + ms;
      for (;;) {
        const m = messages.find(ok);
        if (m) return m;
        if (Date.now() > stop) throw new Error(`no matching notify message; got ${JSON.stringify(messages)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    stop: () => {
      child.kill('SIGKILL');
    },
  };
}
