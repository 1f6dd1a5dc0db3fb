import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DeviceError } from '../../../src/core/errors.js';
import { OnoffGpioChip } from '../../../drivers/gpio/onoff-port.js';
import { MatrixKeypad } from '../../../drivers/keypad/matrix.js';
import { GpioLockBank } from '../../../drivers/locks/gpio.js';

// Where the kernel offers no GPIO (CI, containers, laptops) the real drivers
// must refuse to open with a reason, not crash; on a board, a bad line must be refused.
if (!existsSync('/sys/class/gpio')) {
  describe('GPIO drivers on a machine without GPIO', () => {
    it('open() rejects missing-module, saying there is no GPIO or no onoff', async () => {
      const bank = new GpioLockBank(new OnoffGpioChip(), { relays: [{ channel: 1, relayGpio: 17, doorGpio: 27 }] });
      const err = await bank.open().then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(DeviceError);
      expect((err as DeviceError).code).toBe('missing-module');
      expect((err as DeviceError).message).toMatch(/no accessible GPIO|onoff could not be loaded/);
      const pad = new MatrixKeypad(new OnoffGpioChip(), { rows: [1, 2, 3, 4], cols: [5, 6, 7] });
      await expect(pad.open()).rejects.toMatchObject({ code: 'missing-module' });
      await bank.close(); // never opened: a no-op
    });
  });
} else {
  describe('GPIO drivers on a machine with GPIO', () => {
    it('refuses a line the kernel does not have, with a DeviceError', async () => {
      const err = await new OnoffGpioChip().input(99_999, 'none').then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(DeviceError);
    });
  });
}
