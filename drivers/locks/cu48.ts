import { systemClock, type Clock } from '../../src/core/clock.js';
import { silentLog, type Log } from '../../src/core/log.js';
import type { LineDecoder } from '../serial/request-line.js';
import type { ByteTransport } from '../serial/transport.js';
import type { CuBankEvents, CuModel } from './cu-bank.js';
import { cuLineDecoder, type CuHeard } from './cu-bus.js';
import { CU48_LOCKS, CU48_STATUS_BYTES, Cu48Decoder, encodeCu48Status, encodeCu48Unlock, hooksFromData, type Cu48Event } from './cu48-codec.js';
import { resolveCu16Options, type Cu16Options } from './cu16-options.js';
import { PerBoardCuBank } from './cu16.js';

export type Cu48Events = CuBankEvents;

export interface Cu48Options extends Cu16Options {
  /** Where the door state comes from: the lock's hook (latch released = open, the default) or nowhere. */
  doorSensor?: 'hook' | 'none';
}

/**
 * CU48 frames as the bus hears them: a status reply (6 data bytes or more)
 * is the board's 48 hook bits, an empty reply acknowledges an unlock; a reply
 * with 1-5 data bytes carries no status and is reported as noise. Our own
 * requests echoed back are dropped.
 */
export function cu48LineDecoder(): LineDecoder<CuHeard> {
  return cuLineDecoder(new Cu48Decoder(), (ev: Cu48Event) => {
    if (ev.type !== 'reply') return null;
    const { board, lock, data } = ev.reply;
    if (data.length === 0) return { type: 'frame', frame: { kind: 'ack', board } };
    if (data.length >= CU48_STATUS_BYTES) return { type: 'frame', frame: { kind: 'status', reply: { board, lock, hooks: hooksFromData(data), sensors: 0 } } };
    return { type: 'garbage', bytes: Buffer.from(data) };
  });
}

/** CU48: 48 locks a board, the lock number in a byte of its own, a 48-bit status; the door is read from the lock's hook. */
export const CU48_MODEL: CuModel = {
  name: 'CU48',
  locksPerBoard: CU48_LOCKS,
  meaning: { door: 'hook', items: false },
  decoder: cu48LineDecoder,
  unlockFrame: (board, lock) => encodeCu48Unlock(board, lock),
  lockStatusFrame: (board) => encodeCu48Status(board),
  boardStatusFrame: (board) => encodeCu48Status(board),
};

/**
 * Kerong CU48-style RS-485 lock boards (48 self-latching locks a board) as
 * one LockBank: each board polled with its status request, unlocks
 * confirmed by a later status showing the hook released, boards going
 * silent and line loss as CU16. The frame layout is from public host
 * software and unverified on hardware; see docs/drivers/locks.md ("CU48").
 */
export class Cu48LockBank extends PerBoardCuBank {
  constructor(transport: ByteTransport, options: Cu48Options, clock: Clock = systemClock, log: Log = silentLog) {
    super(CU48_MODEL, transport, resolveCu16Options(options, 'CU48', 'hook'), clock, log);
  }
}
