/**
 * The Keypad contract against MatrixKeypad on the in-process GPIO chip, with
 * MatrixKeypadSim as the key switches (chattering contacts included).
 *
 * Real hardware: KIOSK_TEST_GPIO_KEYPAD='{"rows":[5,6,13,19],"cols":[26,16,20]}'
 * (the driver's config as JSON) runs the contract on the board's GPIO; a
 * person presses the keys the test prints.
 */
import { systemClock } from '../../src/core/clock.js';
import { OnoffGpioChip } from '../../drivers/gpio/onoff-port.js';
import { SimGpioChip } from '../../drivers/gpio/sim.js';
import { MatrixKeypad, type MatrixKeypadConfig } from '../../drivers/keypad/matrix.js';
import { MatrixKeypadSim } from '../../drivers/keypad/matrix-sim.js';
import { keypadContract } from './contracts/keypad.js';

const CONFIG: MatrixKeypadConfig = { rows: [5, 6, 13, 19], cols: [26, 16, 20], scanIntervalMs: 5, debounceMs: 20 };

keypadContract('GPIO matrix on the in-process chip', async () => {
  const chip = new SimGpioChip(systemClock);
  const sim = new MatrixKeypadSim(chip, CONFIG, systemClock);
  return {
    keypad: new MatrixKeypad(chip, CONFIG),
    press: (keys) => sim.press(keys, { holdMs: 100, gapMs: 60, bounceMs: 4 }), // a 20 ms debounce holds on a busy machine too
    dispose: async () => sim.dispose(),
  };
});

const real = process.env.KIOSK_TEST_GPIO_KEYPAD;
if (real) {
  keypadContract(
    'GPIO matrix on this board',
    async () => ({
      keypad: new MatrixKeypad(new OnoffGpioChip(), JSON.parse(real) as MatrixKeypadConfig),
      press: (keys) => console.log(`press ${keys} on the keypad now, one key at a time`),
      dispose: async () => undefined,
    }),
    { keyTimeoutMs: 30_000 },
  );
}
