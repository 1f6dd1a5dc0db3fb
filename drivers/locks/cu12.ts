import { systemClock, type Clock, type TimerHandle } from '../../src/core/clock.js';
import { DeviceError } from '../../src/core/errors.js';
import { silentLog, type Log } from '../../src/core/log.js';
import type { ByteTransport } from '../serial/transport.js';
import { CuLockBank, type CuBankEvents, type CuModel } from './cu-bank.js';
import { CU12_LOCKS, describeVersion, encodeBusStatus, encodeCu12Request, encodeVersionRequest } from './cu12-codec.js';
import { PRIORITY, cu16LineDecoder } from './cu-bus.js';
import { CU16_CMD } from './cu16-codec.js';
import { resolveCu16Options, type Cu16Options } from './cu16-options.js';

export type Cu12Events = CuBankEvents;

export interface Cu12Options extends Cu16Options {
  /**
   * Each board address adds this much to how long a bus-wide status request
   * waits for the last board (ms): boards answer in turn, lowest address
   * first. Default 10 (a 9-byte reply takes 4.7 ms at 19200 baud).
   */
  busSlotMs?: number;
  /** How long the firmware version query waits before taking the board as not supporting it (ms). Default 100. */
  versionTimeoutMs?: number;
}

/** KR-CU12: 12 locks a board; the second bit group is infrared item sensors, so the door is read from the lock's hook. */
export const CU12_MODEL: CuModel = {
  name: 'CU12',
  locksPerBoard: CU12_LOCKS,
  meaning: { door: 'hook', items: true },
  decoder: () => cu16LineDecoder({ busReplies: true, versionFrames: true }),
  unlockFrame: (board, lock) => encodeCu12Request(board, lock, CU16_CMD.unlock),
  lockStatusFrame: (board, lock) => encodeCu12Request(board, lock, CU16_CMD.status),
  boardStatusFrame: (board) => encodeCu12Request(board, 1, CU16_CMD.status),
};

/**
 * Kerong KR-CU12 RS-485 lock boards as one LockBank, with each compartment's
 * infrared item sensor (`itemPresent`, `item` events). The whole bus is polled
 * with one bus-wide status request (02 F0 32 03 27) that every board answers
 * in turn, so a poll round costs one request however many boards there are.
 * A board that stopped answering is left out of the rounds and probed every
 * `offlinePollMs`, so it does not make every round wait for its timeout.
 */
export class Cu12LockBank extends CuLockBank {
  private readonly slotMs: number;
  private readonly versionTimeoutMs: number;
  private pollTimer: TimerHandle | null = null;
  private lastProbe = -Infinity;

  constructor(transport: ByteTransport, options: Cu12Options, clock: Clock = systemClock, log: Log = silentLog) {
    super(CU12_MODEL, transport, resolveCu16Options(options, 'CU12', 'hook'), clock, log);
    this.slotMs = options.busSlotMs ?? 10;
    this.versionTimeoutMs = options.versionTimeoutMs ?? 100;
    if (!(this.slotMs >= 0) || !(this.versionTimeoutMs > 0)) throw new RangeError('CU12: busSlotMs must be ≥ 0 and versionTimeoutMs > 0');
  }

  /** The DIP addresses of this bank's boards, in channel order. */
  get boardAddresses(): number[] {
    return this.boards.map((b) => b.address);
  }

  /**
   * Asks board `address` (one of this bank's) for its firmware version.
   * Resolves its text ("software 0x12, hardware 0x03"), or null when the
   * board does not answer the query (older firmware has none). Rejects
   * `disconnected` / `closed` like every call.
   */
  async firmwareVersion(address: number): Promise<string | null> {
    if (!this.boards.some((b) => b.address === address)) {
      throw new DeviceError('not-found', `board ${address} is not on this bank (boards ${this.boards.map((b) => b.address).join(', ')})`, this.name);
    }
    if (this.phase !== 'open') throw new DeviceError(this.phase === 'down' ? 'disconnected' : 'closed', 'the lock bank is not open', this.name);
    try {
      const v = await this.bus.requestVersion(address, encodeVersionRequest(address), PRIORITY.read, this.versionTimeoutMs, `board ${address} version`);
      return describeVersion(v.data);
    } catch (e) {
      if (e instanceof DeviceError && (e.code === 'timeout' || e.code === 'checksum')) return null;
      throw e;
    }
  }

  protected startPolling(): void {
    this.schedule(0);
  }

  protected stopPolls(): void {
    if (this.pollTimer) this.clock.clearTimeout(this.pollTimer);
    this.pollTimer = null;
  }

  private schedule(delayMs: number): void {
    this.stopPolls();
    this.pollTimer = this.clock.setTimeout(() => {
      this.pollTimer = null;
      this.pollBus();
    }, delayMs);
  }

  private pollBus(): void {
    if (this.phase !== 'open') return;
    const sentAt = this.clock.now();
    const next = (): void => {
      if (this.phase === 'open') this.schedule(Math.max(0, sentAt + this.pollMs - this.clock.now()));
    };
    const probe = sentAt - this.lastProbe >= this.offlinePollMs;
    const expected = this.boards.filter((b) => b.online !== false || probe);
    if (expected.some((b) => b.online === false)) this.lastProbe = sentAt;
    if (expected.length === 0) {
      next();
      return;
    }
    const highest = Math.max(...expected.map((b) => b.address));
    const timeout = (expected.every((b) => b.online === false) ? Math.min(this.probeTimeoutMs, this.timeoutMs) : this.timeoutMs) + highest * this.slotMs;
    this.bus.requestAll(expected.map((b) => b.address), encodeBusStatus(), PRIORITY.poll, timeout, 'bus status').then(
      (replies) => {
        const heard = new Set(replies.map((r) => r.board));
        for (const b of expected) if (!heard.has(b.address)) this.markMiss(b, `no answer to the bus status request within ${timeout} ms`, false);
        next();
      },
      () => next(),
    );
  }
}
