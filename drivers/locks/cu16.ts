import { systemClock, type Clock } from '../../src/core/clock.js';
import { silentLog, type Log } from '../../src/core/log.js';
import type { DeviceError } from '../../src/core/errors.js';
import type { ByteTransport } from '../serial/transport.js';
import { CuLockBank, type BoardState, type CuBankEvents, type CuModel } from './cu-bank.js';
import { PRIORITY, cu16LineDecoder } from './cu-bus.js';
import { CU16_CMD, encodeRequest } from './cu16-codec.js';
import { resolveCu16Options, type Cu16Options, type ResolvedCu16Options } from './cu16-options.js';

export type { Cu16Options } from './cu16-options.js';
export type Cu16Events = CuBankEvents;

/** KR-CU16: 16 locks a board, the second bit group wired to door switches, a 32 status request per board. */
export const CU16_MODEL: CuModel = {
  name: 'CU16',
  locksPerBoard: 16,
  meaning: { door: 'open-high', items: false },
  decoder: () => cu16LineDecoder(),
  unlockFrame: (board, lock) => encodeRequest(board, lock, CU16_CMD.unlock),
  lockStatusFrame: (board, lock) => encodeRequest(board, lock, CU16_CMD.status),
  boardStatusFrame: (board) => encodeRequest(board, 1, CU16_CMD.boardStatus),
};

/**
 * CU boards polled one by one (CU16, CU48): each board on its own timer; a
 * silent board is tried less often and with a short timeout so it does not
 * hold up the others.
 */
export abstract class PerBoardCuBank extends CuLockBank {
  protected constructor(model: CuModel, transport: ByteTransport, o: ResolvedCu16Options, clock: Clock, log: Log) {
    super(model, transport, o, clock, log);
  }

  protected startPolling(): void {
    for (const b of this.boards) this.schedulePoll(b, 0);
  }

  protected stopPolls(): void {
    for (const b of this.boards) {
      if (b.pollTimer) this.clock.clearTimeout(b.pollTimer);
      b.pollTimer = null;
    }
  }

  private schedulePoll(board: BoardState, delayMs: number): void {
    if (board.pollTimer) this.clock.clearTimeout(board.pollTimer);
    board.pollTimer = this.clock.setTimeout(() => {
      board.pollTimer = null;
      this.poll(board);
    }, delayMs);
  }

  private poll(board: BoardState): void {
    if (this.phase !== 'open') return;
    const sentAt = this.clock.now();
    const next = (): void => {
      if (this.phase !== 'open') return;
      const every = board.online === false ? this.offlinePollMs : this.pollMs;
      this.schedulePoll(board, Math.max(0, sentAt + every - this.clock.now()));
    };
    const timeout = board.online === false ? Math.min(this.probeTimeoutMs, this.timeoutMs) : this.timeoutMs;
    this.readBoard(board, PRIORITY.poll, timeout).then(next, (e: DeviceError) => {
      if (e.code === 'timeout' || e.code === 'checksum') this.markMiss(board, e.message, false);
      next();
    });
  }
}

/**
 * Kerong KR-CU16-style RS-485 lock boards as one LockBank. Takes its transport
 * (a SerialPortTransport at 19200 8N1 in production, a pipe or pty in tests).
 * See docs/drivers/locks.md for the frame layout, faults and config.
 */
export class Cu16LockBank extends PerBoardCuBank {
  constructor(transport: ByteTransport, options: Cu16Options, clock: Clock = systemClock, log: Log = silentLog) {
    super(CU16_MODEL, transport, resolveCu16Options(options, 'CU16'), clock, log);
  }
}
