import { systemClock, type Clock } from '../../src/core/clock.js';
import type { ByteTransport } from '../serial/transport.js';
import { CU12_LOCKS, encodeCu12Reply, encodeVersionReply, isBusStatus } from './cu12-codec.js';
import type { Cu16Event } from './cu16-codec.js';
import { Cu16BoardSim, type Cu16SimOptions } from './cu16-sim.js';

export interface Cu12SimOptions extends Cu16SimOptions {
  /**
   * Each address waits this much longer before answering a bus-wide status
   * request (ms), so the boards answer in turn, lowest address first, as on a
   * shared RS-485 pair. Default 3.
   */
  busSlotMs?: number;
  /** The firmware version it reports; absent: an older firmware that ignores the version query. */
  firmware?: { software: number; hardware: number };
}

/**
 * A KR-CU12 board's end of the bus: 12 self-latching locks with hook
 * switches and an infrared item sensor in each compartment. Answers status
 * (30) and unlock (31) addressed to it, the bus-wide status request (02 F0 32)
 * in its turn with a 36 reply, and the version query when given `firmware`.
 * Script hooks: openDoor / closeDoor (inherited: the hook latches when the
 * door shuts), putItem / takeItem, `fault`, `inject`.
 */
export class Cu12BoardSim extends Cu16BoardSim {
  /** How many version queries it was sent. */
  versionQueries = 0;
  private readonly slotMs: number;
  private readonly firmware: { software: number; hardware: number } | null;

  constructor(transport: ByteTransport, options: Cu12SimOptions, clock: Clock = systemClock) {
    super(transport, options, clock, { locks: CU12_LOCKS, decoder: { busReplies: true, versionFrames: true } });
    this.slotMs = options.busSlotMs ?? 3;
    this.firmware = options.firmware ?? null;
  }

  /** Something is put into compartment `lock` (1-12): its infrared beam is broken. */
  putItem(lock: number): void {
    this.lock(lock).item = true;
  }

  /** Compartment `lock` is emptied. */
  takeItem(lock: number): void {
    this.lock(lock).item = false;
  }

  /** The 12 hook bits (1 = latched) and 12 item bits (1 = something inside) the next reply carries. */
  override bits(): { hooks: number; sensors: number } {
    let hooks = 0;
    let sensors = 0;
    this.locks.forEach((l, i) => {
      if (l.locked) hooks |= 1 << i;
      if (l.item) sensors |= 1 << i;
    });
    return { hooks, sensors };
  }

  protected override hear(ev: Cu16Event): void {
    if (ev.type === 'request' && isBusStatus(ev.request)) {
      this.handle(ev.request, true);
      return;
    }
    if (ev.type === 'version-request' && ev.board === this.address) {
      this.versionQueries++;
      const fw = this.firmware;
      if (fw) this.sendLater(this.replyDelayMs, () => encodeVersionReply(this.address, fw.software, fw.hardware));
      return;
    }
    if (ev.type === 'request' && ev.request.lock > CU12_LOCKS) return; // no such lock: a real board stays silent
    super.hear(ev);
  }

  protected override busDelayMs(): number {
    return this.replyDelayMs + this.address * this.slotMs;
  }

  protected override replyFrame(lock: number, bus: boolean): Buffer {
    const { hooks, sensors } = this.bits();
    return encodeCu12Reply(this.address, Math.min(lock, CU12_LOCKS), hooks, sensors, bus);
  }
}

/** Attaches one simulated CU12 per address to one transport (boards sharing a bus). */
export function attachCu12Sims(
  transport: ByteTransport,
  addresses: number[],
  options: Omit<Cu12SimOptions, 'address'> = {},
  clock: Clock = systemClock,
): Cu12BoardSim[] {
  return addresses.map((address) => new Cu12BoardSim(transport, { ...options, address }, clock));
}
