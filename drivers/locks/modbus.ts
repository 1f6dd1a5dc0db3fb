import { systemClock, type Clock, type TimerHandle } from '../../src/core/clock.js';
import { DeviceError } from '../../src/core/errors.js';
import { TypedEmitter } from '../../src/core/events.js';
import { silentLog, type Log } from '../../src/core/log.js';
import { bitAt, COIL_OFF, COIL_ON, encodeRequest, FN, ModbusReplyDecoder, WAVESHARE_FLASH_OFF, WAVESHARE_FLASH_ON, type ModbusReply } from '../modbus/codec.js';
import { TransportHold } from '../serial/hold.js';
import { RequestLine } from '../serial/request-line.js';
import type { ByteTransport } from '../serial/transport.js';
import type { Channel, LockBank, LockBankEvents, LockState } from './contract.js';
import { resolveModbusLocksOptions, type ChannelWiring, type ModbusLocksOptions, type ResolvedModbusLocksOptions } from './modbus-options.js';

export type { ModbusLocksOptions } from './modbus-options.js';

const MISSES_BEFORE_REPORT = 3;
/** A fail-safe relay is re-energised this long after the board's own flash-off should have ended (ms). */
const RESTORE_MARGIN_MS = 200;

/**
 * Locks on a Modbus RTU relay board (Waveshare Modbus RTU Relay 16CH or any
 * board with coils), door switches on its discrete inputs. One request on the
 * wire at a time. An unlock is confirmed when the board reads the coil back
 * energised or the door switch reports the door open; never assumed from the
 * write's echo. A fail-safe lock (a magnetic lock) is held by its energised
 * relay: energised at open, after each pulse and when the line comes back,
 * and released by a pulse off. See docs/drivers/modbus.md.
 */
export class ModbusLockBank extends TypedEmitter<LockBankEvents> implements LockBank {
  readonly name: string;
  readonly channels: readonly Channel[];
  private readonly o: ResolvedModbusLocksOptions;
  private readonly byChannel: Map<Channel, ChannelWiring>;
  private readonly line: RequestLine<ModbusReply>;
  private readonly hold: TransportHold;
  private readonly log: Log;
  private readonly inputFrom: number;
  private readonly inputCount: number;
  /** Last door states read, for change events (state() always reads afresh). */
  private readonly doors = new Map<Channel, boolean>();
  private pollTimer: TimerHandle | null = null;
  /** Writes due when a pulse ends, run at once if the bank closes first. */
  private readonly pulseEnds = new Map<TimerHandle, () => Promise<void>>();
  private misses = 0;
  /** The line came back: fail-safe relays are energised again at the next poll (retried until it succeeds). */
  private rehold = false;

  constructor(
    private readonly transport: ByteTransport,
    options: ModbusLocksOptions,
    private readonly clock: Clock = systemClock,
    log: Log = silentLog,
  ) {
    super();
    this.o = resolveModbusLocksOptions(options);
    this.name = `locks:modbus ${transport.description} unit ${this.o.unitId}`;
    this.log = log.child({ module: 'locks:modbus' });
    this.byChannel = new Map(this.o.wiring.map((w) => [w.channel, w]));
    this.channels = this.o.wiring.map((w) => w.channel);
    const inputs = this.o.wiring.flatMap((w) => (w.input === null ? [] : [w.input]));
    this.inputFrom = inputs.length ? Math.min(...inputs) : 0;
    this.inputCount = inputs.length ? Math.max(...inputs) - this.inputFrom + 1 : 0;
    this.line = new RequestLine(transport, new ModbusReplyDecoder(), clock, {
      noise: (kind, bytes) => this.fault(new DeviceError(kind === 'checksum' ? 'checksum' : 'protocol', `RS-485 line noise: ${bytes.subarray(0, 16).toString('hex')}; check termination and A/B wiring`, this.name)),
    });
    this.hold = new TransportHold(transport, {
      data: (chunk) => this.line.receive(chunk),
      lost: (reason) => this.lost(reason),
      back: () => this.back(),
      fault: (err) => this.fault(err),
    });
  }

  async open(): Promise<void> {
    if (!(await this.hold.open(this.name))) return;
    try {
      await this.readCoils(this.o.wiring[0].coil, 1);
      await this.readDoors();
    } catch (e) {
      await this.close();
      throw new DeviceError('not-found', `no Modbus board answered at unit ${this.o.unitId} (${(e as Error).message}); check RS-485 A/B wiring, the baud rate and the unit id`, this.name);
    }
    try {
      await this.holdFailSafe();
    } catch (e) {
      await this.close();
      throw e;
    }
    this.schedulePoll();
  }

  async close(): Promise<void> {
    const due = [...this.pulseEnds];
    this.pulseEnds.clear();
    for (const [t, write] of due) {
      this.clock.clearTimeout(t);
      // A pulse cut short by close still ends: a fail-safe lock is held again, a solenoid let go.
      if (this.hold.isOpen) await write().catch(() => undefined);
    }
    const was = this.hold.close();
    if (was === 'closed') return;
    if (this.pollTimer) this.clock.clearTimeout(this.pollTimer);
    this.line.failAll(new DeviceError('closed', 'driver closed', this.name));
    if (was !== 'idle') await this.transport.close();
  }

  async unlock(channel: Channel): Promise<void> {
    const w = this.wiring(channel);
    this.hold.ready(this.name);
    const deadline = this.clock.now() + this.o.unlockConfirmMs;
    // A fail-secure lock opens while its coil is on, a fail-safe one while it is off.
    const release = w.failSafe ? COIL_OFF : COIL_ON;
    const restore = w.failSafe ? COIL_ON : COIL_OFF;
    const steps = Math.max(1, Math.round(this.o.pulseMs / 100));
    if (this.o.board === 'waveshare') {
      const flash = w.failSafe ? WAVESHARE_FLASH_OFF : WAVESHARE_FLASH_ON;
      await this.writeCoil(flash | w.coil, steps, `channel ${channel} ${w.failSafe ? 'flash-off' : 'flash-on'}`);
      // The board turns the relay back on itself; energising it again afterwards holds the lock even if the board reset meanwhile.
      if (w.failSafe) this.afterPulse(steps * 100 + RESTORE_MARGIN_MS, w.coil, restore, `channel ${channel} on again`);
    } else {
      await this.writeCoil(w.coil, release, `channel ${channel} ${w.failSafe ? 'off' : 'on'}`);
      this.afterPulse(this.o.pulseMs, w.coil, restore, `channel ${channel} ${w.failSafe ? 'on again' : 'off'}`);
    }
    // Confirmed by the board (coil read back released) or the door, read back until the deadline.
    for (;;) {
      const released = bitAt(await this.readCoils(w.coil, 1), 0) === (release === COIL_ON);
      if (released || this.doors.get(channel) === true) return;
      if (this.clock.now() >= deadline) break;
      await new Promise<void>((r) => this.clock.setTimeout(r, Math.min(this.o.pollIntervalMs, Math.max(1, deadline - this.clock.now()))));
      this.hold.ready(this.name);
    }
    throw new DeviceError('unconfirmed', `compartment channel ${channel}: unit ${this.o.unitId} did not ${w.failSafe ? 'release' : 'energise'} coil ${w.coil} within ${this.o.unlockConfirmMs} ms and the door did not open`, this.name);
  }

  /**
   * `locked` is false while the board reads the lock's coil in its release
   * state (energised for a fail-secure solenoid, off for a fail-safe lock);
   * otherwise a relay cannot tell, so null.
   */
  async state(channel: Channel): Promise<LockState> {
    const w = this.wiring(channel);
    this.hold.ready(this.name);
    const coilOn = bitAt(await this.readCoils(w.coil, 1), 0) === true;
    await this.readDoors();
    return this.lockState(w, coilOn);
  }

  async states(): Promise<LockState[]> {
    this.hold.ready(this.name);
    const from = Math.min(...this.o.wiring.map((w) => w.coil));
    const to = Math.max(...this.o.wiring.map((w) => w.coil));
    const bits = await this.readCoils(from, to - from + 1);
    await this.readDoors();
    return this.o.wiring.map((w) => this.lockState(w, bitAt(bits, w.coil - from) === true));
  }

  private lockState(w: ChannelWiring, coilOn: boolean): LockState {
    return { channel: w.channel, locked: coilOn !== w.failSafe ? false : null, doorOpen: w.input === null ? null : (this.doors.get(w.channel) ?? null) };
  }

  /** Every lock to its locked state: a plain relay lock's coil off, a fail-safe lock's on. */
  async lockAll(): Promise<void> {
    this.hold.ready(this.name);
    for (const w of this.o.wiring) await this.writeCoil(w.coil, w.failSafe ? COIL_ON : COIL_OFF, `coil ${w.coil} ${w.failSafe ? 'on' : 'off'}`);
  }

  /** Energises every fail-safe lock's coil (they are held locked only while it is). */
  private async holdFailSafe(): Promise<void> {
    for (const w of this.o.wiring) if (w.failSafe) await this.writeCoil(w.coil, COIL_ON, `channel ${w.channel} on (fail-safe lock held)`);
  }

  private afterPulse(ms: number, coil: number, value: number, label: string): void {
    const write = (): Promise<void> => this.writeCoil(coil, value, label);
    const t = this.clock.setTimeout(() => {
      this.pulseEnds.delete(t);
      if (this.hold.isOpen) write().catch((e: unknown) => this.fault(e as Error));
    }, ms);
    this.pulseEnds.set(t, write);
  }

  // --- wire ------------------------------------------------------------------

  private async readCoils(from: number, count: number): Promise<Buffer> {
    const r = await this.ask(FN.readCoils, from, count, `read coil ${from}`);
    if (r.fn !== FN.readCoils) throw new DeviceError('protocol', `read coil ${from}: unexpected reply`, this.name);
    return r.bits;
  }

  private async readDoors(): Promise<void> {
    if (this.inputCount === 0) return;
    const r = await this.ask(FN.readInputs, this.inputFrom, this.inputCount, 'read door inputs');
    if (r.fn !== FN.readInputs) throw new DeviceError('protocol', 'read door inputs: unexpected reply', this.name);
    if (!this.hold.isOpen) return;
    for (const w of this.o.wiring) {
      if (w.input === null) continue;
      const bit = bitAt(r.bits, w.input - this.inputFrom);
      if (bit === null) continue;
      const open = bit === (this.o.doorOpenValue === 1);
      const was = this.doors.get(w.channel);
      this.doors.set(w.channel, open);
      if (was !== undefined && was !== open) this.emit('door', w.channel, open);
    }
  }

  private async writeCoil(address: number, value: number, label: string): Promise<void> {
    const r = await this.ask(FN.writeCoil, address, value, label);
    if (r.fn !== FN.writeCoil || r.address !== address || r.value !== value) {
      throw new DeviceError('protocol', `${label}: the board did not echo the write`, this.name);
    }
  }

  private async ask(fn: 1 | 2 | 5, address: number, value: number, label: string): Promise<ModbusReply> {
    const unit = this.o.unitId;
    const r = await this.line.ask(
      encodeRequest({ unit, fn, address, value }),
      (f) => f.unit === unit && (f.fn === fn || (f.fn === 'exception' && f.of === fn)),
      this.o.replyTimeoutMs,
      `unit ${unit} ${label}`,
    );
    if (r.fn === 'exception') throw new DeviceError('device-error', `unit ${unit} ${label}: Modbus exception ${r.code}${r.code === 2 ? ' (no such address: check the map)' : ''}`, this.name);
    return r;
  }

  // --- polling and lifecycle -------------------------------------------------

  private schedulePoll(): void {
    if (!this.hold.isOpen) return;
    this.pollTimer = this.clock.setTimeout(() => {
      this.pollTimer = null;
      this.pollOnce().then(
        () => {
          this.misses = 0;
          this.schedulePoll();
        },
        (e: DeviceError) => {
          if (e.code !== 'closed' && e.code !== 'disconnected' && ++this.misses === MISSES_BEFORE_REPORT) {
            this.log.warn({ err: e.message }, 'board stopped answering');
            this.fault(new DeviceError(e.code, `the board stopped answering (${e.message})`, this.name));
          }
          this.schedulePoll();
        },
      );
    }, this.o.pollIntervalMs);
  }

  private async pollOnce(): Promise<void> {
    if (this.rehold) {
      await this.holdFailSafe();
      this.rehold = false;
    }
    await this.readDoors();
  }

  private wiring(channel: Channel): ChannelWiring {
    const w = this.byChannel.get(channel);
    if (!w) throw new DeviceError('not-found', `channel ${channel} is not on this bank (channels ${this.channels.join(', ')})`, this.name);
    return w;
  }

  private lost(reason: string): void {
    if (this.pollTimer) this.clock.clearTimeout(this.pollTimer);
    this.pollTimer = null;
    this.line.failAll(new DeviceError('disconnected', `serial line lost: ${reason}`, this.name));
    this.emit('disconnect', reason);
  }

  private back(): void {
    // The board may have lost power with the line: a fail-safe lock is open until its relay is energised again.
    this.rehold = this.o.wiring.some((w) => w.failSafe);
    this.emit('reconnect');
    this.schedulePoll();
  }

  private fault(err: Error): void {
    if (this.hold.isClosed) return;
    this.emitError(err);
  }
}
