/**
 * The LockBank contract against GpioLockBank on the in-process GPIO chip,
 * with GpioLockSim as the relays, sprung doors and reed switches (bouncing).
 *
 * Real hardware: KIOSK_TEST_GPIO_LOCKS='{"relays":[{"channel":1,"relayGpio":17,"doorGpio":27}]}'
 * (the driver's config as JSON) runs the hardware-safe part of the contract on
 * the board's GPIO; KIOSK_TEST_GPIO_UNLOCK=1 also pulses channel 1 and expects
 * its door to open.
 */
import { systemClock } from '../../src/core/clock.js';
import { OnoffGpioChip } from '../../drivers/gpio/onoff-port.js';
import { SimGpioChip } from '../../drivers/gpio/sim.js';
import { GpioLockBank, type GpioLockConfig } from '../../drivers/locks/gpio.js';
import { GpioLockSim } from '../../drivers/locks/gpio-sim.js';
import { lockBankContract } from './contracts/locks.js';

const CONFIG: GpioLockConfig = {
  relays: [
    { channel: 1, relayGpio: 17, doorGpio: 27 },
    { channel: 2, relayGpio: 22, doorGpio: 23, relayActiveLow: true },
    { channel: 3, relayGpio: 24, doorGpio: 25, doorOpenValue: 0 },
  ],
  pulseMs: 200,
  confirmMs: 500,
  debounceMs: 20,
  pollMs: 100,
};

lockBankContract('GPIO relays on the in-process chip', async () => {
  const chip = new SimGpioChip(systemClock);
  const sim = new GpioLockSim(chip, CONFIG, systemClock, { springOpenMs: 40, bounceMs: 8 });
  return {
    bank: new GpioLockBank(chip, CONFIG),
    openDoor: (ch) => {
      sim.openDoor(ch, { force: true });
    },
    closeDoor: (ch) => sim.closeDoor(ch),
    pulses: (ch) => sim.pulseCount(ch),
    jam: (ch) => sim.jam(ch),
    dispose: async () => sim.dispose(),
  };
});

const real = process.env.KIOSK_TEST_GPIO_LOCKS;
if (real) {
  const unlock = process.env.KIOSK_TEST_GPIO_UNLOCK;
  lockBankContract(
    'GPIO relays on this board',
    async () => ({ bank: new GpioLockBank(new OnoffGpioChip(), JSON.parse(real) as GpioLockConfig), dispose: async () => undefined }),
    { hardware: true, ...(unlock ? { unlockChannel: Number(unlock) } : {}) },
  );
}
