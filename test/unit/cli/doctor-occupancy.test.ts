import { describe, expect, it } from 'vitest';
import { occupancy } from '../../../src/cli/doctor.js';

describe('doctor: compartment occupancy', () => {
  it('lists occupied and empty compartments as ranges, for the channels with an item sensor', () => {
    const states = [1, 2, 3, 4, 5, 6, 7].map((channel) => ({
      channel,
      locked: true,
      doorOpen: false,
      itemPresent: channel === 2 || channel === 7 ? true : channel === 6 ? null : false,
    }));
    expect(occupancy(states)).toBe('; occupied: 2, 7; empty: 1, 3-5');
  });

  it('says nothing for a bank without item sensors (absent or null)', () => {
    expect(occupancy([{ channel: 1, locked: true, doorOpen: false }, { channel: 2, locked: null, doorOpen: null, itemPresent: null }])).toBe('');
  });
});
