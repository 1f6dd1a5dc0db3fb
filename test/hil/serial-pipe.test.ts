import { describe, expect, it } from 'vitest';
import { createPipePair } from '../../drivers/serial/pipe.js';

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('pipe transport pair', () => {
  it('delivers bytes to the other end later, in chunks when asked', async () => {
    const pair = createPipePair({ chunkSize: 2 });
    await pair.kiosk.open();
    await pair.device.open();
    const chunks: string[] = [];
    pair.device.on('data', (c) => chunks.push(c.toString()));
    const written = pair.kiosk.write(Buffer.from('hello'));
    expect(chunks).toEqual([]); // never inside the writer's call
    await written;
    await flush();
    expect(chunks).toEqual(['he', 'll', 'o']);
  });

  it('unplug closes both open ends, writes reject, replug reopens them', async () => {
    const pair = createPipePair();
    await pair.kiosk.open();
    await pair.device.open();
    const events: string[] = [];
    pair.kiosk.on('close', (r) => events.push(`close:${r}`));
    pair.kiosk.on('open', () => events.push('open'));
    pair.unplug('cable pulled');
    expect(pair.kiosk.isOpen).toBe(false);
    await expect(pair.kiosk.write(Buffer.from([1]))).rejects.toMatchObject({ code: 'disconnected' });
    pair.replug();
    expect(events).toEqual(['close:cable pulled', 'open']);
    const got: number[] = [];
    pair.device.on('data', (c) => got.push(...c));
    await pair.kiosk.write(Buffer.from([7]));
    await flush();
    expect(got).toEqual([7]);
  });

  it('an end that is unplugged at open rejects not-found; a closed end stays closed', async () => {
    const pair = createPipePair();
    pair.unplug();
    await expect(pair.kiosk.open()).rejects.toMatchObject({ code: 'not-found' });
    pair.replug();
    await pair.kiosk.open();
    await pair.kiosk.close();
    pair.unplug();
    pair.replug();
    expect(pair.kiosk.isOpen).toBe(false);
    await expect(pair.kiosk.open()).rejects.toMatchObject({ code: 'closed' });
  });
});
