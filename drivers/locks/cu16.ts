import { systemClock, type Clock, type TimerHandle } from '../../src/clock.js';
import { silentLog, type Log } from '../../src/log.js';
import { DeviceError } from '../errors.js';
import { TypedEmitter } from '../events.js';
import { TransportHold } from '../serial/hold.js';
import type { ByteTransport } from '../serial/transport.js';
import type { Channel, LockBank, LockBankEvents, LockState } from './contract.js';
import { Cu16Bus, PRIORITY } from './cu16-bus.js';
import { CU16_CMD, encodeRequest, type Cu16Reply } from './cu16-codec.js';
import { resolveCu16Options, type Cu16Options } from './cu16-options.js';
import { ChangeTracker, NoiseLimiter, doorFromBits, lockStateFromBits, lockedFromBits, type DoorSensor } from './cu16-state.js';

export type { Cu16Options } from './cu16-options.js';

export type Cu16Events = LockBankEvents & {
  /** A board stopped answering (false) or answers again (true). Not emitted for the first read. */
  board: [address: number, online: boolean];
};

interface BoardState {
  address: number;
  /** Index in `boards`: channels index*16+1 … index*16+16. */
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
 * Kerong KR-CU16-style RS-485 lock boards as one LockBank. Takes its transport
 * (a SerialPortTransport at 19200 8N1 in production, a pipe or pty in tests).
 * See docs/drivers/locks.md for the frame layout, faults and config.
 */
export class Cu16LockBank extends TypedEmitter<Cu16Events> implements LockBank {
  readonly name: string;
  readonly channels: readonly Channel[];
  private readonly boards: BoardState[];
  private readonly bus: Cu16Bus;
  private readonly pollMs: number;
  private readonly timeoutMs: number;
  private readonly confirmMs: number;
  private readonly doorSensor: DoorSensor;
  private readonly missesBeforeOffline: number;
  private readonly offlinePollMs: number;
  private readonly probeTimeoutMs: number;
  private readonly tracker: ChangeTracker;
  private readonly noise: NoiseLimiter;
  private readonly unlocks = new Set<PendingUnlock>();
  private readonly log: Log;
  private phase: 'idle' | 'open' | 'down' | 'closed' = 'idle';
  private readonly hold: TransportHold;

  constructor(
    private readonly transport: ByteTransport,
    options: Cu16Options,
    private readonly clock: Clock = systemClock,
    log: Log = silentLog,
  ) {
    super();
    this.hold = new TransportHold(transport, {
      data: (chunk) => this.bus.receive(chunk),
      lost: (reason) => this.transportLost(reason),
      back: () => this.transportBack(),
      fault: (err) => this.emitError(err),
    });
    const o = resolveCu16Options(options);
    this.name = `locks:cu16 ${transport.description}`;
    this.log = log.child({ module: 'locks:cu16' });
    this.pollMs = o.pollIntervalMs;
    this.timeoutMs = o.commandTimeoutMs;
    this.confirmMs = o.unlockConfirmMs;
    this.doorSensor = o.doorSensor;
    this.missesBeforeOffline = o.missesBeforeOffline;
    this.offlinePollMs = o.offlinePollMs;
    this.probeTimeoutMs = o.offlineProbeTimeoutMs;
    this.noise = new NoiseLimiter(clock, o.noiseReportMs);
    this.boards = o.boards.map((address, index) => ({
      address, index, hooks: null, sensors: null, online: null, misses: 0, lastFailure: '', pollTimer: null,
    }));
    this.channels = Array.from({ length: this.boards.length * 16 }, (_, i) => i + 1);
    this.tracker = new ChangeTracker(this.channels.length);
    this.bus = new Cu16Bus(transport, clock, {
      onReply: (r) => this.applyReply(r),
      onNoise: (kind, bytes) => this.reportNoise(kind, bytes),
    });
  }

  async open(): Promise<void> {
    if (this.phase === 'closed') throw new DeviceError('closed', 'driver was closed', this.name);
    if (this.phase !== 'idle') return;
    await this.hold.open();
    this.phase = 'open';
    const results = await Promise.allSettled(this.boards.map((b) => this.readBoard(b, PRIORITY.read)));
    if (this.isClosed()) throw new DeviceError('closed', 'driver was closed while opening', this.name);
    if (results.every((r) => r.status === 'rejected')) {
      const why = results.map((r) => (r.status === 'rejected' ? String((r.reason as Error).message) : '')).join('; ');
      await this.close();
      throw new DeviceError(
        'not-found',
        `no CU16 board answered at address ${this.boards.map((b) => b.address).join(', ')} (${why}); check RS-485 A/B wiring, 19200 8N1 and the DIP addresses`,
        this.name,
      );
    }
    results.forEach((r, i) => {
      if (r.status === 'rejected') this.markMiss(this.boards[i], (r.reason as Error).message, true);
    });
    for (const b of this.boards) this.schedulePoll(b, 0);
  }

  async close(): Promise<void> {
    if (this.phase === 'closed') return;
    const wasIdle = this.phase === 'idle';
    this.phase = 'closed';
    this.stopPolls();
    const err = new DeviceError('closed', 'driver closed', this.name);
    this.bus.failAll(err);
    this.rejectUnlocks(() => err);
    this.hold.detach();
    if (!wasIdle) await this.transport.close();
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
        .request(board.address, encodeRequest(board.address, lock, CU16_CMD.unlock), PRIORITY.unlock, this.timeoutMs, label, () => {
          pending.armed = true;
        })
        .then(
          (reply) => this.checkUnlocks(reply.board),
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
    const frame = encodeRequest(board.address, lock, CU16_CMD.status);
    let reply: Cu16Reply;
    try {
      reply = await this.bus.request(board.address, frame, PRIORITY.read, this.timeoutMs, label);
    } catch (e) {
      if (!(e instanceof DeviceError) || e.code !== 'checksum') throw e;
      reply = await this.bus.request(board.address, frame, PRIORITY.read, this.timeoutMs, label);
    }
    return lockStateFromBits(channel, reply.hooks, reply.sensors, this.doorSensor);
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
      for (let lock = 1; lock <= 16; lock++) {
        const channel = i * 16 + lock;
        out.push(reply ? lockStateFromBits(channel, reply.hooks, reply.sensors, this.doorSensor) : { channel, locked: null, doorOpen: null });
      }
    });
    return out;
  }

  /**
   * CU16 locks are self-locking and the board times each pulse itself, so there
   * is no relay to switch off and no command that forces a lock shut. This reads
   * every lock and logs the ones not latched (their doors relatch when closed).
   */
  async lockAll(): Promise<void> {
    const all = await this.states();
    const unlatched = all.filter((s) => s.locked === false).map((s) => s.channel);
    const unknown = all.filter((s) => s.locked === null).map((s) => s.channel);
    if (unlatched.length) this.log.warn({ channels: unlatched }, 'locks not latched (they relatch when their doors are closed)');
    if (unknown.length) this.log.warn({ channels: unknown }, 'lock state unknown (board not answering)');
  }

  // --- internals ---------------------------------------------------------

  private isClosed(): boolean {
    return this.phase === 'closed';
  }

  private notReady(): DeviceError | null {
    switch (this.phase) {
      case 'open':
        return null;
      case 'idle':
        return new DeviceError('closed', 'driver is not open (call open() first)', this.name);
      case 'down':
        return new DeviceError('disconnected', 'the serial line is down', this.name);
      case 'closed':
        return new DeviceError('closed', 'driver was closed', this.name);
      default: {
        const never: never = this.phase;
        return never;
      }
    }
  }

  private locate(channel: Channel): { board: BoardState; lock: number } | DeviceError {
    if (!Number.isInteger(channel) || channel < 1 || channel > this.channels.length) {
      return new DeviceError('not-found', `channel ${channel} is not on this bank (channels 1-${this.channels.length})`, this.name);
    }
    return { board: this.boards[Math.floor((channel - 1) / 16)], lock: ((channel - 1) % 16) + 1 };
  }

  private readBoard(board: BoardState, priority: typeof PRIORITY.read | typeof PRIORITY.poll, timeoutMs = this.timeoutMs): Promise<Cu16Reply> {
    return this.bus.request(
      board.address,
      encodeRequest(board.address, 1, CU16_CMD.boardStatus),
      priority,
      timeoutMs,
      `board ${board.address} status`,
    );
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

  private stopPolls(): void {
    for (const b of this.boards) {
      if (b.pollTimer) this.clock.clearTimeout(b.pollTimer);
      b.pollTimer = null;
    }
  }

  private markMiss(board: BoardState, why: string, immediately: boolean): void {
    board.misses++;
    board.lastFailure = why;
    if (board.online === false) return;
    if (!immediately && board.misses < this.missesBeforeOffline) return;
    board.online = false;
    board.hooks = null;
    board.sensors = null;
    const first = board.index * 16 + 1;
    const msg = `board ${board.address} stopped answering (${why}); channels ${first}-${first + 15} are unknown until it answers again`;
    this.log.warn({ board: board.address, misses: board.misses }, msg);
    this.emit('board', board.address, false);
    this.emitError(new DeviceError('timeout', msg, this.name));
  }

  private applyReply(reply: Cu16Reply): void {
    if (this.phase !== 'open') return;
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
    for (const c of this.tracker.apply(board.index * 16 + 1, reply.hooks, reply.sensors, this.doorSensor)) {
      if (c.kind === 'lock') this.emit('lock', c.channel, c.value);
      else this.emit('door', c.channel, c.value);
    }
    this.checkUnlocks(board.address);
  }

  private checkUnlocks(address: number): void {
    for (const p of [...this.unlocks]) {
      if (!p.armed || p.board.address !== address || p.board.hooks === null || p.board.sensors === null) continue;
      const bit = p.lock - 1;
      const released = !lockedFromBits(p.board.hooks, bit);
      const doorOpen = doorFromBits(p.board.sensors, bit, this.doorSensor) === true;
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
    if (this.phase !== 'open') return;
    this.phase = 'down';
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
    if (this.phase !== 'down') return;
    this.phase = 'open';
    this.log.info('serial line back');
    this.emit('reconnect');
    for (const b of this.boards) this.schedulePoll(b, 0);
  }

  private reportNoise(kind: 'garbage' | 'checksum', bytes: Buffer): void {
    const more = this.noise.admit(kind);
    if (more === null) return;
    const what = kind === 'checksum' ? `a frame with a bad checksum (${bytes.toString('hex')})` : `${bytes.length} stray byte(s) (${bytes.subarray(0, 16).toString('hex')})`;
    this.emitError(new DeviceError(kind === 'checksum' ? 'checksum' : 'protocol', `RS-485 line noise: ${what}${more}; check termination, A/B wiring and duplicate DIP addresses`, this.name));
  }

  private emitError(err: Error): void {
    if (this.phase === 'closed') return;
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }

}

function fmtSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
