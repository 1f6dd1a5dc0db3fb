import { systemClock, type Clock, type TimerHandle } from '../../src/core/clock.js';
import type { ByteTransport } from '../serial/transport.js';
import {
  COIL_OFF,
  COIL_ON,
  encodeReply,
  FN,
  ModbusRequestDecoder,
  packBits,
  WAVESHARE_FLASH_OFF,
  WAVESHARE_FLASH_ON,
  type ModbusRequest,
} from './codec.js';

/**
 * What a simulated board does wrong:
 * - `none`;
 * - `stuck`: acknowledges writes but the relay never energises (dead coil driver);
 * - `welded`: acknowledges writes but an energised relay never drops (welded contact);
 * - `silent`: never answers;
 * - `bad-crc`: every reply's CRC is off.
 */
export type ModbusSimFault = 'none' | 'stuck' | 'welded' | 'silent' | 'bad-crc';

export interface ModbusRelaySimOptions {
  /** Unit (slave) id 1-247. */
  unit: number;
  /** Number of coils (relays). Default 16. */
  coils?: number;
  /** Number of discrete inputs (door switches). Default 16. */
  inputs?: number;
  /** The input value that means "door open". Default 1. */
  doorOpenValue?: 0 | 1;
  /** Reply delay (ms). Default 3. */
  replyDelayMs?: number;
}

/**
 * A Waveshare Modbus RTU Relay board (with discrete inputs for door switches)
 * on its end of the cable: read coils, read discrete inputs, write single coil
 * including Waveshare's flash-on (0x02xx) and flash-off (0x04xx) addresses,
 * whose value is the time in 100 ms steps. Answers only its unit id;
 * exception 0x02 for an address it does not have, 0x01 for a function it
 * does not know. The caller opens and closes the transport.
 */
export class ModbusRelaySim {
  readonly unit: number;
  /** Every time a coil went from off to on, by coil. */
  readonly pulses: number[];
  /** Every request addressed to this unit, in order. */
  readonly requests: ModbusRequest[] = [];
  fault: ModbusSimFault = 'none';
  private readonly coils: boolean[];
  private readonly doors: boolean[];
  private readonly openValue: boolean;
  private readonly decoder = new ModbusRequestDecoder();
  private readonly timers = new Set<TimerHandle>();
  private readonly flashTimers = new Map<number, TimerHandle>();
  private readonly replyDelayMs: number;
  private readonly onData = (chunk: Buffer): void => this.receive(chunk);

  constructor(
    private readonly transport: ByteTransport,
    options: ModbusRelaySimOptions,
    private readonly clock: Clock = systemClock,
  ) {
    this.unit = options.unit;
    this.coils = Array.from({ length: options.coils ?? 16 }, () => false);
    this.doors = Array.from({ length: options.inputs ?? 16 }, () => false);
    this.pulses = this.coils.map(() => 0);
    this.openValue = (options.doorOpenValue ?? 1) === 1;
    this.replyDelayMs = options.replyDelayMs ?? 3;
    transport.on('data', this.onData);
  }

  coil(i: number): boolean {
    return this.coils[i];
  }

  openDoor(input: number): void {
    this.doors[input] = true;
  }

  closeDoor(input: number): void {
    this.doors[input] = false;
  }

  detach(): void {
    this.transport.off('data', this.onData);
    for (const t of [...this.timers, ...this.flashTimers.values()]) this.clock.clearTimeout(t);
    this.timers.clear();
    this.flashTimers.clear();
  }

  private receive(chunk: Buffer): void {
    for (const ev of this.decoder.push(chunk)) {
      if (ev.type === 'frame' && ev.frame.unit === this.unit) this.handle(ev.frame);
    }
  }

  private handle(r: ModbusRequest): void {
    this.requests.push(r);
    switch (r.fn) {
      case FN.readCoils:
      case FN.readInputs: {
        const all = r.fn === FN.readCoils ? this.coils : this.doors.map((open) => open === this.openValue);
        if (r.value < 1 || r.value > 2000 || r.address + r.value > all.length) return this.exception(r.fn, 0x02);
        return this.reply(encodeReply({ unit: this.unit, fn: r.fn, bits: packBits(all.slice(r.address, r.address + r.value)) }));
      }
      case FN.writeCoil:
        return this.write(r);
      default:
        return this.exception(r.fn, 0x01);
    }
  }

  private write(r: ModbusRequest): void {
    const mode = r.address & 0xff00;
    const coil = r.address & 0x00ff;
    if (coil >= this.coils.length) return this.exception(FN.writeCoil, 0x02);
    if (mode === WAVESHARE_FLASH_ON || mode === WAVESHARE_FLASH_OFF) {
      const ms = r.value * 100;
      this.set(coil, mode === WAVESHARE_FLASH_ON);
      const prev = this.flashTimers.get(coil);
      if (prev) this.clock.clearTimeout(prev);
      this.flashTimers.set(coil, this.clock.setTimeout(() => {
        this.flashTimers.delete(coil);
        this.set(coil, mode !== WAVESHARE_FLASH_ON);
      }, ms));
    } else if (mode === 0 && (r.value === COIL_ON || r.value === COIL_OFF)) {
      this.set(coil, r.value === COIL_ON);
    } else {
      return this.exception(FN.writeCoil, 0x03);
    }
    this.reply(encodeReply({ unit: this.unit, fn: FN.writeCoil, address: r.address, value: r.value }));
  }

  private set(coil: number, on: boolean): void {
    if (on && !this.coils[coil]) this.pulses[coil]++;
    if (on && this.fault === 'stuck') return;
    if (!on && this.fault === 'welded') return;
    this.coils[coil] = on;
  }

  private exception(fn: number, code: number): void {
    this.reply(encodeReply({ unit: this.unit, fn: 'exception', of: fn, code }));
  }

  private reply(frame: Buffer): void {
    if (this.fault === 'silent') return;
    if (this.fault === 'bad-crc') frame[frame.length - 1] ^= 0xff;
    const t = this.clock.setTimeout(() => {
      this.timers.delete(t);
      this.transport.write(frame).catch(() => {
        // The line went away under the reply; the host times out, as with a real board.
      });
    }, this.replyDelayMs);
    this.timers.add(t);
  }
}
