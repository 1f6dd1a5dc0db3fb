/**
 * Memory after many sessions with a hostile broker (malformed packets of
 * every kind, large and oversized PUBLISHes, reconnect after reconnect),
 * measured in a child process after a full gc: what the link retains must not
 * grow with the number of sessions.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/config/index.js';

const run = promisify(execFile);

describe('a hostile broker, session after session', () => {
  it('leaves heap, buffers and mqtt.js clients bounded', async () => {
    const root = packageRoot();
    const { stdout } = await run(
      process.execPath,
      ['--expose-gc', join(root, 'node_modules/vite-node/vite-node.mjs'), join(root, 'test/support/hostile-broker-child.ts'), '3', '33'],
      { cwd: root, timeout: 110_000, maxBuffer: 1 << 20 },
    );
    const points = stdout
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { connections: number; heapMb: number; arrayBuffersMb: number; liveClients: number });
    expect(points.length).toBe(4);
    const first = points[1]; // after the first 33 sessions: warm
    const last = points[points.length - 1];
    expect(last.connections).toBeGreaterThanOrEqual(99);
    console.log(points.map((p) => `${p.connections} sessions: heap ${p.heapMb.toFixed(1)} MB, buffers ${p.arrayBuffersMb.toFixed(1)} MB, clients ${p.liveClients}`).join('\n'));
    // Three times the sessions, no more retained: a leak of one client or one packet per session would show.
    expect(last.heapMb - first.heapMb).toBeLessThan(3);
    expect(last.arrayBuffersMb - first.arrayBuffersMb).toBeLessThan(10);
    // A client kept per session would show as dozens; a few in flight at a sample are reconnects under way.
    for (const p of points) expect(p.liveClients).toBeLessThanOrEqual(5);
  }, 120_000);
});
