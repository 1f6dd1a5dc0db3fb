import { describe, expect, it } from 'vitest';
import { JoinedKeypad } from '../../../drivers/keypad/joined.js';
import { SimKeypad } from '../../../drivers/keypad/sim.js';

describe('the keypad joined with the screen', () => {
  it('gives the hardware keypad’s keys and the screen’s in the order they come, drops non-keys, and lets go on detach', async () => {
    const hw = new SimKeypad();
    const joined = new JoinedKeypad(hw);
    await joined.open();
    const got: string[] = [];
    joined.on('key', (k) => got.push(k));
    hw.press('12');
    expect(joined.type('3x#')).toBe(2);
    hw.press('*');
    expect(got.join('')).toBe('123#*');
    joined.detach();
    hw.press('9');
    expect(got.join('')).toBe('123#*');
    expect(hw.listenerCount('key')).toBe(0);
  });
});
