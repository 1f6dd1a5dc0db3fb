import { afterEach, describe, expect, it } from 'vitest';
import { compartmentOccupancy } from '../../../src/cli/doctor.js';
import { operatorView } from '../../../src/ui/operator-state.js';
import { OPERATOR, flowKiosk, type FlowKiosk } from './harness.js';

let f: FlowKiosk | null = null;
afterEach(async () => {
  await f?.stop();
  f = null;
});

const view = (k: FlowKiosk) =>
  operatorView({ store: k.k.store, devices: () => [], connected: () => false, events: () => [], items: () => k.k.kiosk.occupancy() });

describe('occupancy for staff', () => {
  it('/operator shows each compartment as item present, empty or no sensor, following the sensor', async () => {
    f = await flowKiosk(undefined, undefined, { itemSensors: ['A02', 'A03'] });
    await f.putItem('A02');
    const occ = (): Record<string, string> => Object.fromEntries(view(f as FlowKiosk).compartments.map((c) => [c.id, c.occupancy]));
    expect(occ()).toEqual({ A01: 'no sensor', A02: 'item present', A03: 'empty', A04: 'no sensor' });
    await f.takeItem('A02');
    await f.putItem('A03');
    expect(occ()).toEqual({ A01: 'no sensor', A02: 'empty', A03: 'item present', A04: 'no sensor' });
  });

  it('a restart reads the sensors afresh: what is inside stays so', async () => {
    f = await flowKiosk(undefined, undefined, { itemSensors: ['A02'] });
    await f.putItem('A02');
    await f.restart();
    expect(view(f).compartments.find((c) => c.id === 'A02')?.occupancy).toBe('item present');
  });

  it('the operator menu on the screen names what the sensor sees', async () => {
    f = await flowKiosk(undefined, undefined, { itemSensors: ['A02', 'A03'] });
    await f.putItem('A03');
    await f.press('**');
    await f.press(`${OPERATOR.id}#${OPERATOR.pin}#`);
    const s = f.screen();
    expect(s).toMatchObject({ id: 'operator-menu' });
    expect((s as { compartments: unknown[] }).compartments).toEqual([
      { id: 'A01', state: 'free', doorOpen: false },
      { id: 'A02', state: 'free', doorOpen: false, item: false },
      { id: 'A03', state: 'free', doorOpen: false, item: true },
      { id: 'A04', state: 'free', doorOpen: false },
    ]);
  });

  it('doctor names each compartment by what its sensor read', () => {
    const states = [
      { channel: 1, locked: true, doorOpen: false, itemPresent: false },
      { channel: 2, locked: true, doorOpen: false, itemPresent: true },
      { channel: 3, locked: true, doorOpen: false },
      { channel: 4, locked: null, doorOpen: null, itemPresent: null },
    ];
    const compartments = [
      { id: 'A01', channel: 1 },
      { id: 'A02', channel: 2 },
      { id: 'A03', channel: 3 },
      { id: 'A04', channel: 4 },
    ];
    expect(compartmentOccupancy(states, compartments)).toBe('; compartments — item present: A02; empty: A01; no sensor: A03, A04');
    expect(compartmentOccupancy([], [])).toBe('');
  });
});
