import { SimCardReader } from '../../drivers/card/sim.js';
import type { CardReader } from '../../drivers/card/contract.js';
import type { CashAcceptor } from '../../drivers/cash/contract.js';
import { SimCashAcceptor } from '../../drivers/cash/sim.js';
import type { Devices, Sims } from '../../drivers/devices.js';
import type { FingerprintPad } from '../../drivers/fingerprint/contract.js';
import { SimFingerprintPad } from '../../drivers/fingerprint/sim.js';
import type { Keypad } from '../../drivers/keypad/contract.js';
import { SimKeypad } from '../../drivers/keypad/sim.js';
import type { LockBank } from '../../drivers/locks/contract.js';
import { SimLockBank } from '../../drivers/locks/sim.js';
import type { Scanner } from '../../drivers/scanner/contract.js';
import { SimScanner } from '../../drivers/scanner/sim.js';
import type { ByteTransport } from '../../drivers/serial/transport.js';
import type { Clock } from '../core/clock.js';
import { silentLog, type Log } from '../core/log.js';
import type { CardConfig, CashConfig, Config, FingerprintConfig, KeypadConfig, LocksConfig, ScannerConfig } from '../config/index.js';

/**
 * Config → drivers: the simulator where the config says `sim`, the real
 * driver otherwise. With app.ts the only code that knows which is which.
 *
 * Real drivers are imported only when configured (`await import`), so a
 * simulated kiosk never loads serial, GPIO, HID or PC/SC code, let alone the
 * native modules under it. Each real driver gets the kiosk's logger, under a
 * namespace naming its device class.
 */

type Real<C> = Exclude<C, { driver: 'sim' } | null>;

async function serial(path: string, baudRate: number, clock: Clock): Promise<ByteTransport> {
  const { SerialPortTransport } = await import('../../drivers/serial/serialport-transport.js');
  return new SerialPortTransport({ path, baudRate }, clock);
}

async function gpioChip(): Promise<import('../../drivers/gpio/port.js').GpioChip> {
  const { OnoffGpioChip } = await import('../../drivers/gpio/onoff-port.js');
  return new OnoffGpioChip();
}

export async function realKeypad(c: Real<KeypadConfig>, clock: Clock, log: Log = silentLog): Promise<Keypad> {
  switch (c.driver) {
    case 'serial': {
      const { SerialKeypad } = await import('../../drivers/keypad/serial.js');
      return new SerialKeypad(await serial(c.path, c.baudRate, clock), {}, clock, log);
    }
    case 'gpio-matrix': {
      const { MatrixKeypad } = await import('../../drivers/keypad/matrix.js');
      const { driver: _, ...options } = c;
      return new MatrixKeypad(await gpioChip(), options, { clock, log });
    }
  }
}

export async function realScanner(c: Real<ScannerConfig>, clock: Clock, log: Log = silentLog): Promise<Scanner> {
  switch (c.driver) {
    case 'serial': {
      const { SerialScanner } = await import('../../drivers/scanner/serial.js');
      return new SerialScanner(await serial(c.path, c.baudRate, clock), {}, clock, log);
    }
    case 'hid': {
      const [{ HidScanner }, { nodeHidOpener }] = await Promise.all([import('../../drivers/scanner/hid.js'), import('../../drivers/scanner/hid-node.js')]);
      return new HidScanner(nodeHidOpener({ vendorId: c.vendorId, productId: c.productId, ...(c.path ? { path: c.path } : {}) }), { clock, log });
    }
  }
}

/** What every CU board config (cu16, cu12, cu48) gives its driver, under the driver's names. */
function cuOptions<S>(c: { boards: number[]; pollIntervalMs: number; replyTimeoutMs: number; unlockConfirmMs: number; doorSensor: S }) {
  return { boards: c.boards, pollIntervalMs: c.pollIntervalMs, commandTimeoutMs: c.replyTimeoutMs, unlockConfirmMs: c.unlockConfirmMs, doorSensor: c.doorSensor };
}

export async function realLocks(c: Real<LocksConfig>, clock: Clock, log: Log = silentLog): Promise<LockBank> {
  switch (c.driver) {
    case 'cu16': {
      const { Cu16LockBank } = await import('../../drivers/locks/cu16.js');
      return new Cu16LockBank(
        await serial(c.path, c.baudRate, clock),
        cuOptions(c),
        clock,
        log,
      );
    }
    case 'cu12': {
      const { Cu12LockBank } = await import('../../drivers/locks/cu12.js');
      return new Cu12LockBank(
        await serial(c.path, c.baudRate, clock),
        { ...cuOptions(c), busSlotMs: c.busSlotMs },
        clock,
        log,
      );
    }
    case 'cu48': {
      const { Cu48LockBank } = await import('../../drivers/locks/cu48.js');
      return new Cu48LockBank(
        await serial(c.path, c.baudRate, clock),
        cuOptions(c),
        clock,
        log,
      );
    }
    case 'gpio': {
      const { GpioLockBank } = await import('../../drivers/locks/gpio.js');
      const { driver: _, ...options } = c;
      return new GpioLockBank(await gpioChip(), options, { clock, log });
    }
    case 'modbus': {
      const [{ ModbusLockBank }, { modbusLocksOptions }] = await Promise.all([import('../../drivers/locks/modbus.js'), import('../../drivers/modbus/schema.js')]);
      return new ModbusLockBank(await serial(c.path, c.baudRate, clock), modbusLocksOptions(c), clock, log);
    }
  }
}

/** ID-003 is 9600 8E1 (even parity), unlike the other serial devices. */
export async function realCash(c: Real<CashConfig>, clock: Clock, log: Log = silentLog): Promise<CashAcceptor> {
  const [{ SerialPortTransport }, { Id003CashAcceptor }, { denominationsOf }] = await Promise.all([
    import('../../drivers/serial/serialport-transport.js'),
    import('../../drivers/cash/id003.js'),
    import('../../drivers/cash/schema.js'),
  ]);
  const t = new SerialPortTransport({ path: c.path, baudRate: c.baudRate, parity: 'even' }, clock);
  return new Id003CashAcceptor(t, { currency: c.currency, denominations: denominationsOf(c), pollIntervalMs: c.pollIntervalMs, replyTimeoutMs: c.replyTimeoutMs }, clock, log);
}

export async function realFingerprint(c: Real<FingerprintConfig>, clock: Clock, log: Log = silentLog): Promise<FingerprintPad> {
  const { R30xPad } = await import('../../drivers/fingerprint/r30x.js');
  return new R30xPad(await serial(c.path, c.baudRate, clock), { address: c.address, password: c.password, clock, log });
}

export async function realCard(c: Real<CardConfig>, clock: Clock, log: Log = silentLog): Promise<CardReader> {
  const { PcscCardReader } = await import('../../drivers/card/pcsc.js');
  return new PcscCardReader({ ...(c.reader ? { reader: c.reader } : {}), clock, log });
}

/** Builds every configured device. `log` is the kiosk's; each real driver gets a child naming its class. */
export async function buildDevices(config: Config, clock: Clock, log: Log = silentLog): Promise<{ devices: Devices; sims: Sims }> {
  const d = config.devices;
  const channels = config.compartments.map((c) => c.channel);
  const sims: Sims = { keypad: null, scanner: null, locks: null, fingerprint: null, card: null, cash: null };
  const child = (device: string): Log => log.child({ ns: 'device', device });

  const keypad = d.keypad.driver === 'sim' ? (sims.keypad = new SimKeypad()) : await realKeypad(d.keypad, clock, child('keypad'));
  const scanner = d.scanner.driver === 'sim' ? (sims.scanner = new SimScanner()) : await realScanner(d.scanner, clock, child('scanner'));
  const locks = d.locks.driver === 'sim' ? (sims.locks = new SimLockBank(channels, clock, undefined, { itemSensors: d.locks.itemSensors })) : await realLocks(d.locks, clock, child('locks'));
  const fingerprint =
    d.fingerprint === null
      ? null
      : d.fingerprint.driver === 'sim'
        ? (sims.fingerprint = new SimFingerprintPad())
        : await realFingerprint(d.fingerprint, clock, child('fingerprint'));
  const card = d.card === null ? null : d.card.driver === 'sim' ? (sims.card = new SimCardReader()) : await realCard(d.card, clock, child('card'));
  const cash = d.cash === null ? null : d.cash.driver === 'sim' ? (sims.cash = new SimCashAcceptor()) : await realCash(d.cash, clock, child('cash'));
  return { devices: { keypad, scanner, locks, fingerprint, card, cash, others: [] }, sims };
}
