import { DeviceError } from '../../src/core/errors.js';
import type { Edge, GpioChip, GpioPin, Level } from './port.js';

/**
 * The kernel's GPIO through `onoff` (sysfs). This is the only file that loads
 * it, and only when a real GPIO driver is opened: `onoff` is an optional
 * dependency and exists only on Linux boards with GPIO.
 */

/** The slice of onoff's Gpio this file uses (typed here so the build works without onoff installed). */
interface OnoffGpio {
  readSync(): Level;
  writeSync(value: Level): void;
  watch(cb: (err: Error | null | undefined, value: Level) => void): void;
  unwatch(cb?: (err: Error | null | undefined, value: Level) => void): void;
  unexport(): void;
}
interface OnoffModule {
  Gpio: {
    accessible: boolean;
    new (line: number, direction: 'in' | 'high' | 'low', edge?: Edge): OnoffGpio;
  };
}

const INSTALL_HINT =
  'the GPIO drivers need the optional npm package `onoff` (npm install onoff) on a Linux board with sysfs GPIO (/sys/class/gpio)';

let loaded: Promise<OnoffModule> | null = null;

async function loadOnoff(): Promise<OnoffModule> {
  // A variable specifier keeps bundlers and the type checker from requiring the optional module.
  const specifier = 'onoff';
  let mod: unknown;
  try {
    mod = await import(specifier);
  } catch (e) {
    throw new DeviceError('missing-module', `onoff could not be loaded (${(e as Error).message}); ${INSTALL_HINT}`, 'gpio');
  }
  const gpio = (mod as { Gpio?: OnoffModule['Gpio']; default?: { Gpio?: OnoffModule['Gpio'] } }).Gpio
    ?? (mod as { default?: { Gpio?: OnoffModule['Gpio'] } }).default?.Gpio;
  if (typeof gpio !== 'function') {
    throw new DeviceError('missing-module', `onoff loaded but has no Gpio class; ${INSTALL_HINT}`, 'gpio');
  }
  if (!gpio.accessible) {
    throw new DeviceError(
      'missing-module',
      'this machine has no accessible GPIO (no /sys/class/gpio, or no permission: add the kiosk user to the `gpio` group); use the simulated GPIO here',
      'gpio',
    );
  }
  return { Gpio: gpio };
}

function onoff(): Promise<OnoffModule> {
  loaded ??= loadOnoff().catch((e: unknown) => {
    loaded = null; // let a later open try again (the module may be installed meanwhile)
    throw e;
  });
  return loaded;
}

class OnoffPin implements GpioPin {
  private released = false;
  private readonly callbacks = new Set<(err: Error | null | undefined, value: Level) => void>();

  constructor(
    readonly line: number,
    private readonly gpio: OnoffGpio,
  ) {}

  read(): Level {
    return this.gpio.readSync();
  }

  write(value: Level): void {
    this.gpio.writeSync(value);
  }

  watch(listener: (value: Level) => void, onError: (err: Error) => void): () => void {
    const cb = (err: Error | null | undefined, value: Level): void => {
      if (err) onError(err);
      else listener(value);
    };
    this.gpio.watch(cb);
    this.callbacks.add(cb);
    return () => {
      if (!this.callbacks.delete(cb) || this.released) return;
      this.gpio.unwatch(cb);
    };
  }

  unexport(): void {
    if (this.released) return;
    this.released = true;
    this.callbacks.clear();
    this.gpio.unexport(); // also stops its watchers
  }
}

/** GPIO lines from the kernel. Lines are sysfs numbers (on newer Raspberry Pi kernels, offset: see docs/drivers/gpio.md). */
export class OnoffGpioChip implements GpioChip {
  readonly description = 'sysfs gpio';

  async output(line: number, initial: Level): Promise<GpioPin> {
    const { Gpio } = await onoff();
    return new OnoffPin(line, open(() => new Gpio(line, initial === 1 ? 'high' : 'low'), line));
  }

  async input(line: number, edge: Edge): Promise<GpioPin> {
    const { Gpio } = await onoff();
    return new OnoffPin(line, open(() => new Gpio(line, 'in', edge), line));
  }
}

function open(make: () => OnoffGpio, line: number): OnoffGpio {
  try {
    return make();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EBUSY') throw new DeviceError('busy', `GPIO ${line} is in use by another driver or process`, 'gpio');
    if (err.code === 'EACCES') {
      throw new DeviceError('not-found', `GPIO ${line}: permission denied (add the kiosk user to the gpio group)`, 'gpio');
    }
    throw new DeviceError('not-found', `GPIO ${line} could not be exported (${err.message}); check the line number`, 'gpio');
  }
}
