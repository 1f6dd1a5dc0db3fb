import { systemClock, type Clock, type TimerHandle } from '../../src/core/clock.js';
import { silentLog, type Log } from '../../src/core/log.js';
import { DeviceError } from '../../src/core/errors.js';
import { TypedEmitter } from '../../src/core/events.js';
import { TransportHold, type LinePhase } from '../serial/hold.js';
import type { ByteTransport } from '../serial/transport.js';
import type { Channel, LockBank, LockBankEvents, LockState } from './contract.js';
import type { LineDecoder } from '../serial/request-line.js';
import { CuBus, PRIORITY, type CuHeard, type CuReply, type Priority } from './cu-bus.js';
import type { ResolvedCu16Options } from './cu16-options.js';
import { ChangeTracker, NoiseLimiter, doorFromBits, lockStateFromBits, lockedFromBits, type BitMeaning } from './cu16-state.js';

export type CuBankEvents = LockBankEvents & {
  /** A board stopped answering (false) or answers again (true). Not emitted for the first read. */
  board: [address: number, online: boolean];
};

/** What differs between the Kerong boards this bank drives. */
export interface CuModel {
  /** `CU16`, `CU12`: for names and messages. */
  name: string;
  locksPerBoard: number;
  /** How the reply's bit groups are read. */
  meaning: BitMeaning;
  /** A decoder of the board's frames (a fresh one per bank). */
  decoder(): LineDecoder<CuHeard>;
  /** The unlock frame of one lock. */
  unlockFrame(board: number, lock: number): Buffer;
  /** The frame that reads one lock (the board answers with its whole status). */
  lockStatusFrame(board: number, lock: number): Buffer;
  /** The frame that reads a whole board. */
  boardStatusFrame(board: number): Buffer;
}

export interface BoardState {
  address: number;
  /** Index in `boards`: channels index*N+1 … index*N+N (N locks per board). */
  index: number;
  hooks: number | null;
  sensors: number | null;
  online: boolean | null;
  misses: number;
  lastFailure: string;
  pollTimer: TimerHandle | null;
}

interface PendingUnlock {
  channel: Channel;
  board: BoardState;
  lock: number;
  armed: boolean;
  timer: TimerHandle;
  resolve: () => void;
  reject: (e: DeviceError) => void;
}

/**
 * Kerong KR-CU-style RS-485 lock boards (CU16, CU12, CU48) as one LockBank: what
 * every model shares (opening, unlock confirmation, reads, change events,
 * boards going silent, line loss). How boards are polled is the subclass's:
 * Cu16LockBank and Cu48LockBank poll each board, Cu12LockBank the whole bus at once.
 * See docs/drivers/locks.md for the frame layouts, faults and config.
 */
export abstract class CuLockBank extends TypedEmitter<CuBankEvents> implements LockBank {
  readonly name: string;
  readonly channels: readonly Channel[];
  protected readonly boards: BoardState[];
  protected readonly bus: CuBus;
  protected readonly pollMs: number;
  protected readonly timeoutMs: number;
  private readonly confirmMs: number;
  private readonly meaning: BitMeaning;
  private readonly perBoard: number;
  private readonly missesBeforeOffline: number;
  protected readonly offlinePollMs: number;
  protected readonly probeTimeoutMs: number;
  private readonly tracker = new ChangeTracker();
  private readonly noise: NoiseLimiter;
  private readonly unlocks = new Set<PendingUnlock>();
  protected readonly log: Log;
  private readonly hold: TransportHold;

  protected constructor(
    protected readonly model: CuModel,
    private readonly transport: ByteTransport,
    o: ResolvedCu16Options,
    protected readonly clock: Clock = systemClock,
    log: Log = silentLog,
  ) {
    super();
    this.hold = new TransportHold(transport, {
      data: (chunk) => this.bus.receive(chunk),
      lost: (reason) => this.transportLost(reason),
      back: () => this.transportBack(),
      fault: (err) => this.fault(err),
    });
    const id = model.name.toLowerCase();
    this.name = `locks:${id} ${transport.description}`;
    this.log = log.child({ module: `locks:${id}` });
    this.pollMs = o.pollIntervalMs;
    this.timeoutMs = o.commandTimeoutMs;
    this.confirmMs = o.unlockConfirmMs;
    this.meaning = { ...model.meaning, door: o.doorSensor };
    this.perBoard = model.locksPerBoard;
    this.missesBeforeOffline = o.missesBeforeOffline;
    this.offlinePollMs = o.offlinePollMs;
    this.probeTimeoutMs = o.offlineProbeTimeoutMs;
    this.noise = new NoiseLimiter(clock, o.noiseReportMs);
    this.boards = o.boards.map((address, index) => ({
      address, index, hooks: null, sensors: null, online: null, misses: 0, lastFailure: '', pollTimer: null,
    }));
    this.channels = Array.from({ length: this.boards.length * this.perBoard }, (_, i) => i + 1);
    this.bus = new CuBus(
      transport,
      clock,
      { onReply: (r) => this.applyReply(r), onNoise: (kind, bytes) => this.reportNoise(kind, bytes) },
      model.decoder(),
    );
  }

  /** Starts reading the boards regularly (after open, and when the line is back). */
  protected abstract startPolling(): void;
  /** Stops it (close, line lost). */
  protected abstract stopPolls(): void;

  async open(): Promise<void> {
    if (!(await this.hold.open(this.name))) return;
    const results = await Promise.allSettled(this.boards.map((b) => this.readBoard(b, PRIORITY.read)));
    if (this.isClosed()) throw new DeviceError('closed', 'driver was closed while opening', this.name);
    if (results.every((r) => r.status === 'rejected')) {
      const why = results.map((r) => (r.status === 'rejected' ? String((r.reason as Error).message) : '')).join('; ');
      await this.close();
      throw new DeviceError(
        'not-found',
        `no ${this.model.name} board answered at address ${this.boards.map((b) => b.address).join(', ')} (${why}); check RS-485 A/B wiring, 19200 8N1 and the DIP addresses`,
        this.name,
      );
    }
    results.forEach((r, i) => {
      if (r.status === 'rejected') this.markMiss(this.boards[i], (r.reason as Error).message, true);
    });
    this.startPolling();
  }

  async close(): Promise<void> {
    const was = this.hold.close();
    if (was === 'closed') return;
    this.stopPolls();
    const err = new DeviceError('closed', 'driver closed', this.name);
    this.bus.failAll(err);
    this.rejectUnlocks(() => err);
    if (was !== 'idle') await this.transport.close();
  }

  unlock(channel: Channel): Promise<void> {
    const where = this.locate(channel);
    if (where instanceof DeviceError) return Promise.reject(where);
    const blocked = this.notReady();
    if (blocked) return Promise.reject(blocked);
    const { board, lock } = where;
    return new Promise<void>((resolve, reject) => {
      const pending: PendingUnlock = {
        channel, board, lock, armed: false, resolve, reject,
        timer: this.clock.setTimeout(() => {
          if (!this.unlocks.delete(pending)) return;
          const silent = board.online === false ? ` (board ${board.address} is not answering: ${board.lastFailure})` : '';
          reject(new DeviceError(
            'unconfirmed',
            `compartment channel ${channel}: board ${board.address} did not confirm the unlock within ${fmtSeconds(this.confirmMs)}${silent}`,
            this.name,
          ));
        }, this.confirmMs),
      };
      this.unlocks.add(pending);
      const label = `compartment channel ${channel}: board ${board.address} unlock`;
      this.bus
        .command(board.address, this.model.unlockFrame(board.address, lock), PRIORITY.unlock, this.timeoutMs, label, () => {
          pending.armed = true;
        })
        .then(
          () => this.checkUnlocks(board.address),
          (e: DeviceError) => {
            // A mangled reply still means the board heard us: keep waiting for the status to confirm.
            if (e.code === 'checksum') return;
            if (!this.unlocks.delete(pending)) return;
            this.clock.clearTimeout(pending.timer);
            reject(e.code === 'timeout'
              ? new DeviceError('timeout', `compartment channel ${channel}: board ${board.address} did not answer the unlock command within ${this.timeoutMs} ms`, this.name)
              : e);
          },
        );
    });
  }

  async state(channel: Channel): Promise<LockState> {
    const where = this.locate(channel);
    if (where instanceof DeviceError) throw where;
    const blocked = this.notReady();
    if (blocked) throw blocked;
    const { board, lock } = where;
    const label = `board ${board.address} status of lock ${lock}`;
    const frame = this.model.lockStatusFrame(board.address, lock);
    let reply: CuReply;
    try {
      reply = await this.bus.request(board.address, frame, PRIORITY.read, this.timeoutMs, label);
    } catch (e) {
      if (!(e instanceof DeviceError) || e.code !== 'checksum') throw e;
      reply = await this.bus.request(board.address, frame, PRIORITY.read, this.timeoutMs, label);
    }
    return lockStateFromBits(channel, lock - 1, reply.hooks, reply.sensors, this.meaning);
  }

  async states(): Promise<LockState[]> {
    const blocked = this.notReady();
    if (blocked) throw blocked;
    const results = await Promise.allSettled(this.boards.map((b) => this.readBoard(b, PRIORITY.read)));
    const out: LockState[] = [];
    results.forEach((r, i) => {
      if (r.status === 'rejected') {
        const e = r.reason as DeviceError;
        if (e.code === 'disconnected' || e.code === 'closed') throw e;
      }
      const reply = r.status === 'fulfilled' ? r.value : null;
      for (let lock = 1; lock <= this.perBoard; lock++) {
        const channel = i * this.perBoard + lock;
        out.push(reply ? lockStateFromBits(channel, lock - 1, reply.hooks, reply.sensors, this.meaning) : { channel, locked: null, doorOpen: null, itemPresent: null });
      }
    });
    return out;
  }

  /**
   * Kerong locks are self-locking and the board times each pulse itself, so there
   * is no relay to switch off and no command that forces a lock shut. This reads
   * every lock (or takes the states just read, `known`) and logs the ones not
   * latched (their doors relatch when closed).
   */
  async lockAll(known?: readonly LockState[]): Promise<void> {
    const all = known ?? (await this.states());
    const unlatched = all.filter((s) => s.locked === false).map((s) => s.channel);
    const unknown = all.filter((s) => s.locked === null).map((s) => s.channel);
    if (unlatched.length) this.log.warn({ channels: unlatched }, 'locks not latched (they relatch when their doors are closed)');
    if (unknown.length) this.log.warn({ channels: unknown }, 'lock state unknown (board not answering)');
  }

  // --- internals ---------------------------------------------------------

  protected isClosed(): boolean {
    return this.hold.isClosed;
  }

  /** Where the bank stands with its line (idle, open, down, closed). */
  protected get phase(): LinePhase {
    return this.hold.phase;
  }

  private notReady(): DeviceError | null {
    return this.hold.notReady(this.name);
  }

  private locate(channel: Channel): { board: BoardState; lock: number } | DeviceError {
    if (!Number.isInteger(channel) || channel < 1 || channel > this.channels.length) {
      return new DeviceError('not-found', `channel ${channel} is not on this bank (channels 1-${this.channels.length})`, this.name);
    }
    return { board: this.boards[Math.floor((channel - 1) / this.perBoard)], lock: ((channel - 1) % this.perBoard) + 1 };
  }

  protected readBoard(board: BoardState, priority: Priority, timeoutMs = this.timeoutMs): Promise<CuReply> {
    return this.bus.request(board.address, this.model.boardStatusFrame(board.address), priority, timeoutMs, `board ${board.address} status`);
  }

  protected markMiss(board: BoardState, why: string, immediately: boolean): void {
    board.misses++;
    board.lastFailure = why;
    if (board.online === false) return;
    if (!immediately && board.misses < this.missesBeforeOffline) return;
    board.online = false;
    board.hooks = null;
    board.sensors = null;
    const first = board.index * this.perBoard + 1;
    const msg = `board ${board.address} stopped answering (${why}); channels ${first}-${first + this.perBoard - 1} are unknown until it answers again`;
    this.log.warn({ board: board.address, misses: board.misses }, msg);
    this.emit('board', board.address, false);
    this.fault(new DeviceError('timeout', msg, this.name));
  }

  private applyReply(reply: CuReply): void {
    if (!this.hold.isOpen) return;
    const board = this.boards.find((b) => b.address === reply.board);
    if (!board) return; // a board on the bus that is not ours
    const wasOffline = board.online === false;
    board.online = true;
    board.misses = 0;
    board.hooks = reply.hooks;
    board.sensors = reply.sensors;
    if (wasOffline) {
      this.log.info({ board: board.address }, 'board answers again');
      this.emit('board', board.address, true);
    }
    for (const c of this.tracker.apply(board.index * this.perBoard + 1, this.perBoard, reply.hooks, reply.sensors, this.meaning)) {
      switch (c.kind) {
        case 'lock':
          this.emit('lock', c.channel, c.value);
          break;
        case 'item':
          this.emit('item', c.channel, c.value);
          break;
        case 'door':
          this.emit('door', c.channel, c.value);
          break;
        default: {
          const never: never = c.kind;
          return never;
        }
      }
    }
    this.checkUnlocks(board.address);
  }

  private checkUnlocks(address: number): void {
    for (const p of [...this.unlocks]) {
      if (!p.armed || p.board.address !== address || p.board.hooks === null || p.board.sensors === null) continue;
      const bit = p.lock - 1;
      const released = !lockedFromBits(p.board.hooks, bit);
      const doorOpen = doorFromBits(p.board.hooks, p.board.sensors, bit, this.meaning.door) === true;
      if (released || doorOpen) {
        this.unlocks.delete(p);
        this.clock.clearTimeout(p.timer);
        p.resolve();
      }
    }
  }

  private rejectUnlocks(make: (p: PendingUnlock) => DeviceError): void {
    for (const p of [...this.unlocks]) {
      this.unlocks.delete(p);
      this.clock.clearTimeout(p.timer);
      p.reject(make(p));
    }
  }

  private transportLost(reason: string): void {
    this.stopPolls();
    const err = new DeviceError('disconnected', `serial line lost: ${reason}`, this.name);
    this.bus.failAll(err);
    this.rejectUnlocks((p) => new DeviceError('disconnected', `compartment channel ${p.channel}: serial line lost before the unlock was confirmed (${reason})`, this.name));
    for (const b of this.boards) {
      b.hooks = null;
      b.sensors = null;
    }
    this.log.warn({ reason }, 'serial line lost');
    this.emit('disconnect', reason);
  }

  private transportBack(): void {
    this.log.info('serial line back');
    this.emit('reconnect');
    this.startPolling();
  }

  private reportNoise(kind: 'garbage' | 'checksum', bytes: Buffer): void {
    const more = this.noise.admit(kind);
    if (more === null) return;
    const what = kind === 'checksum' ? `a frame with a bad checksum (${bytes.toString('hex')})` : `${bytes.length} stray byte(s) (${bytes.subarray(0, 16).toString('hex')})`;
    this.fault(new DeviceError(kind === 'checksum' ? 'checksum' : 'protocol', `RS-485 line noise: ${what}${more}; check termination, A/B wiring and duplicate DIP addresses`, this.name));
  }

  protected fault(err: Error): void {
    if (this.hold.isClosed) return;
    this.emitError(err);
  }

}

function fmtSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
