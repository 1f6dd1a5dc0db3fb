import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, type Key } from '../../../drivers/keypad/contract.js';
import { MatrixKeypad, type MatrixKeypadConfig } from '../../../drivers/keypad/matrix.js';
import { MatrixKeypadSim } from '../../../drivers/keypad/matrix-sim.js';
import { SimGpioChip } from '../../../drivers/gpio/sim.js';
import { FakeClock } from '../../support/fake-clock.js';

const CONFIG: MatrixKeypadConfig = { rows: [4, 17, 27, 22], cols: [5, 6, 13], scanIntervalMs: 10, debounceMs: 30 };

let pads: MatrixKeypad[] = [];
afterEach(async () => {
  for (const p of pads) await p.close();
  pads = [];
});

async function setup(config: MatrixKeypadConfig = CONFIG) {
  const clock = new FakeClock();
  const chip = new SimGpioChip(clock);
  const sim = new MatrixKeypadSim(chip, config, clock);
  const pad = new MatrixKeypad(chip, config, { clock });
  pads.push(pad);
  const keys: Key[] = [];
  const events: string[] = [];
  pad.on('key', (k) => keys.push(k));
  pad.on('disconnect', (r) => events.push(`disconnect: ${r}`));
  pad.on('reconnect', () => events.push('reconnect'));
  await pad.open();
  return { clock, chip, sim, pad, keys, events };
}

async function type(clock: FakeClock, sim: MatrixKeypadSim, keys: string, opts = {}): Promise<void> {
  const done = sim.press(keys, opts);
  clock.advance(keys.length * 200 + 100);
  await done;
}

describe('MatrixKeypad', () => {
  it('reads a code typed key by key', async () => {
    const { clock, sim, keys } = await setup();
    await type(clock, sim, '1234#');
    expect(keys).toEqual(['1', '2', '3', '4', '#']);
    expect(sim.typed).toEqual(['1', '2', '3', '4', '#']);
  });

  it('maps every position of the default layout', async () => {
    const { clock, sim, keys } = await setup();
    await type(clock, sim, KEYS.join(''));
    expect(keys).toEqual(KEYS);
  });

  it('uses a custom layout and active-high wiring', async () => {
    const config: MatrixKeypadConfig = { rows: [1, 2], cols: [3, 4], layout: ['#*', '9 '], activeLow: false };
    const { clock, sim, keys } = await setup(config);
    await type(clock, sim, '*9#');
    expect(keys).toEqual(['*', '9', '#']);
  });

  it('drives one row at a time and leaves every row idle between scans', async () => {
    const { clock, chip } = await setup();
    let worst = 0;
    chip.onWrite(() => {
      worst = Math.max(worst, CONFIG.rows.filter((l) => chip.level(l) === 0).length);
    });
    clock.advance(100);
    expect(worst).toBe(1);
    expect(CONFIG.rows.map((l) => chip.level(l))).toEqual([1, 1, 1, 1]);
  });

  it('debounces chattering contacts into one key each', async () => {
    const { clock, sim, keys } = await setup();
    await type(clock, sim, '505', { bounceMs: 25, holdMs: 120 });
    expect(keys).toEqual(['5', '0', '5']);
  });

  it('ignores a touch shorter than the debounce time', async () => {
    const { clock, sim, keys } = await setup();
    sim.down('7');
    clock.advance(20);
    sim.up('7');
    clock.advance(200);
    expect(keys).toEqual([]);
  });

  it('emits a held key once', async () => {
    const { clock, sim, keys } = await setup();
    sim.down('8');
    clock.advance(5000);
    sim.up('8');
    clock.advance(100);
    expect(keys).toEqual(['8']);
  });

  it('emits nothing for two keys pressed together, then reads the next lone key', async () => {
    const { clock, sim, keys } = await setup();
    sim.down('1');
    sim.down('9');
    clock.advance(200);
    sim.up('1');
    sim.up('9');
    clock.advance(100);
    await type(clock, sim, '2');
    expect(keys).toEqual(['2']);
  });

  it('on rollover emits only the first key (the second is ambiguous)', async () => {
    const { clock, sim, keys } = await setup();
    sim.down('4');
    clock.advance(100);
    sim.down('6');
    clock.advance(100);
    sim.up('4');
    clock.advance(100);
    sim.up('6');
    clock.advance(100);
    expect(keys).toEqual(['4']);
  });

  it('emits nothing for three keys in an L, whose ghost reads as a fourth', async () => {
    const { clock, sim, keys } = await setup();
    sim.down('1');
    clock.advance(100);
    sim.down('2');
    sim.down('4');
    clock.advance(200);
    sim.up('1');
    clock.advance(200); // {2,4} alone: still not a lone key
    sim.up('2');
    sim.up('4');
    clock.advance(100);
    expect(keys).toEqual(['1']);
  });

  it('reports a lost matrix after three failed scans and its return', async () => {
    const { clock, chip, sim, keys, events } = await setup();
    for (let i = 0; i < 3; i++) chip.failNext(5, 'read');
    clock.advance(30);
    expect(events).toEqual([expect.stringMatching(/^disconnect: keypad GPIO lines cannot be read \(EIO/)]);
    clock.advance(10);
    expect(events).toEqual([expect.stringMatching(/^disconnect/), 'reconnect']);
    await type(clock, sim, '3');
    expect(keys).toEqual(['3']);
  });

  it('close stops the scan and releases every line', async () => {
    const { clock, chip, pad } = await setup();
    await pad.close();
    const n = chip.writes.length;
    clock.advance(1000);
    expect(chip.writes.length).toBe(n);
    expect([...CONFIG.rows, ...CONFIG.cols].map((l) => chip.direction(l))).toEqual(Array(7).fill(null));
  });

  it('rejects a layout that does not fit the wiring, naming each problem', () => {
    const chip = new SimGpioChip(new FakeClock());
    expect(() => new MatrixKeypad(chip, { rows: [1, 2], cols: [3, 4], layout: ['12', '3A'] }))
      .toThrow(/keypad\.matrix\.layout\[1\]: "3A" has "A": keys must be 0-9, \* or #/);
    expect(() => new MatrixKeypad(chip, { rows: [1, 2], cols: [3, 4] })).toThrow(/layout: has 4 rows but 2 row GPIOs are configured/);
  });
});

describe('MatrixKeypadSim wiring', () => {
  it('makes the fourth corner of an L read pressed (ghosting, no diodes)', async () => {
    const clock = new FakeClock();
    const chip = new SimGpioChip(clock);
    const sim = new MatrixKeypadSim(chip, CONFIG, clock);
    const rows = await Promise.all(CONFIG.rows.map((l) => chip.output(l, 1)));
    const cols = await Promise.all(CONFIG.cols.map((l) => chip.input(l, 'none')));
    sim.down('1');
    sim.down('2');
    sim.down('4');
    rows[1].write(0); // select the row of 4-5-6
    expect(cols.map((c) => c.read())).toEqual([0, 0, 1]); // 4 real, 5 ghost, 6 up
    sim.up('1');
    expect(cols.map((c) => c.read())).toEqual([0, 1, 1]);
  });
});
