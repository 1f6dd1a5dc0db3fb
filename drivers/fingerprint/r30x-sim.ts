import { systemClock, type Clock } from '../../src/core/clock.js';
import type { ByteTransport } from '../serial/transport.js';
import {
  Confirm,
  DEFAULT_ADDRESS,
  DEFAULT_PASSWORD,
  encodeAck,
  encodeDataPackets,
  encodeSystemParameters,
  instructionName,
  parseCommand,
  R30xDecoder,
  type InstructionName,
  type R30xPacket,
} from './r30x-codec.js';
import { MATCH_THRESHOLD, similarityScore } from './sim-score.js';

export interface R30xSimOptions {
  address?: number;
  password?: number;
  /** Data packet size the module reports and uses for UpChar. Default 128. */
  packetSize?: 32 | 64 | 128 | 256;
  /** Pages in the template store. Default 300. */
  librarySize?: number;
  /** Delay before each reply, as a module takes time to image and match. Default 0. */
  replyDelayMs?: number;
  clock?: Clock;
}

/** One command the simulated module was sent, in order. */
export interface SimCommand {
  instruction: InstructionName | 'unknown';
  code: number;
}

/**
 * The module's end of an R30x / AS608 line: a wire-level simulator that
 * answers the host's packets as a real module does, over any ByteTransport
 * (a socat pty opened with the real serialport, or an in-process pipe).
 *
 * Script hooks: placeFinger(template) / liftFinger(). Fault hooks:
 * failNext(instruction, code), corruptNext(), garbleNext(bytes), cutNext(),
 * mute(). It records every command in `commands`.
 *
 * Like a real module it needs VfyPwd first when its password is not 0, and
 * forgets its image and char buffers when the line drops (power goes with
 * the cable on most wiring).
 */
export class R30xSim {
  readonly address: number;
  readonly packetSize: number;
  readonly librarySize: number;
  /** Every command received, in order (never the template bytes). */
  readonly commands: SimCommand[] = [];
  /** Templates stored in flash pages (Store / LoadChar). */
  readonly library = new Map<number, Buffer>();
  private readonly password: number;
  private readonly replyDelayMs: number;
  private readonly clock: Clock;
  private readonly decoder = new R30xDecoder();
  private verified: boolean;
  private finger: Buffer | null = null;
  private image: Buffer | null = null;
  private readonly charBuffers = new Map<number, Buffer>();
  private receiving: { bufferId: number; parts: Buffer[] } | null = null;
  private failures: { instruction: InstructionName | 'any'; code: number }[] = [];
  private corrupt = 0;
  private corruptSkip = 0;
  private garble: Buffer[] = [];
  private cut = 0;
  private muted = false;
  private outbox: Promise<void> = Promise.resolve();

  constructor(
    readonly transport: ByteTransport,
    options: R30xSimOptions = {},
  ) {
    this.address = options.address ?? DEFAULT_ADDRESS;
    this.password = options.password ?? DEFAULT_PASSWORD;
    this.packetSize = options.packetSize ?? 128;
    this.librarySize = options.librarySize ?? 300;
    this.replyDelayMs = options.replyDelayMs ?? 0;
    this.clock = options.clock ?? systemClock;
    this.verified = this.password === DEFAULT_PASSWORD;
    transport.on('data', (chunk) => this.onData(chunk));
    transport.on('close', () => this.powerCycle());
    // A transport error is the line's business; the module just stops hearing.
    transport.on('error', () => undefined);
  }

  async open(): Promise<void> {
    await this.transport.open();
  }

  async close(): Promise<void> {
    await this.transport.close();
  }

  // ── script hooks ──

  /** A finger is on the pad; GenImg images it and Img2Tz turns it into `template`. */
  placeFinger(template: Buffer): void {
    this.finger = Buffer.from(template);
  }

  liftFinger(): void {
    this.finger = null;
  }

  get fingerOnPad(): boolean {
    return this.finger !== null;
  }

  /** A copy of char buffer 1 or 2 (what Img2Tz / DownChar / LoadChar put there). */
  charBuffer(id: number): Buffer | undefined {
    const b = this.charBuffers.get(id);
    return b ? Buffer.from(b) : undefined;
  }

  // ── fault hooks ──

  /** The next `instruction` (or any command) is answered with confirmation `code` and not done. */
  failNext(instruction: InstructionName | 'any', code: number, times = 1): void {
    for (let i = 0; i < times; i++) this.failures.push({ instruction, code });
  }

  /** `times` packets, after the next `skip` whole ones, go out with a wrong checksum. */
  corruptNext(times = 1, skip = 0): void {
    this.corrupt = times;
    this.corruptSkip = skip;
  }

  /** `bytes` of line noise go out just before the next reply. */
  garbleNext(bytes: Buffer): void {
    this.garble.push(Buffer.from(bytes));
  }

  /** The next `times` replies are cut off halfway (the rest never comes). */
  cutNext(times = 1): void {
    this.cut += times;
  }

  /** Hangs: hears nothing and answers nothing until mute(false), like a module that lost power. */
  mute(on = true): void {
    this.muted = on;
  }

  /** Writes raw bytes to the host now. */
  sendRaw(bytes: Buffer): Promise<void> {
    return this.enqueue([Buffer.from(bytes)], false);
  }

  // ── the module ──

  private powerCycle(): void {
    this.decoder.reset();
    this.image = null;
    this.charBuffers.clear();
    this.receiving = null;
    this.verified = this.password === DEFAULT_PASSWORD;
  }

  private onData(chunk: Buffer): void {
    if (this.muted) return;
    for (const ev of this.decoder.push(chunk)) {
      switch (ev.type) {
        case 'packet':
          if (ev.packet.address === this.address) this.onPacket(ev.packet);
          break;
        case 'bad-checksum':
          // A module answers a damaged packet with "packet error".
          if (ev.address === this.address && ev.kind === 'command') this.reply(Confirm.packetError);
          break;
        case 'garbage':
          break;
        default: {
          const never: never = ev;
          void never;
        }
      }
    }
  }

  private onPacket(p: R30xPacket): void {
    if (p.kind === 'data' || p.kind === 'end') {
      if (!this.receiving) return;
      this.receiving.parts.push(p.payload);
      if (p.kind === 'end') {
        const { bufferId, parts } = this.receiving;
        this.receiving = null;
        this.charBuffers.set(bufferId, Buffer.concat(parts));
      }
      return;
    }
    const cmd = parseCommand(p);
    if (!cmd) return;
    this.receiving = null; // a command in the middle of a DownChar ends it
    const name = instructionName(cmd.instruction);
    this.commands.push({ instruction: name ?? 'unknown', code: cmd.instruction });
    if (!name) return this.reply(Confirm.packetError);
    const failure = this.takeFailure(name);
    if (failure !== undefined) return this.reply(failure);
    if (!this.verified && name !== 'VfyPwd') return this.reply(Confirm.wrongPassword);
    this.execute(name, cmd.params);
  }

  private execute(name: InstructionName, params: Buffer): void {
    switch (name) {
      case 'VfyPwd': {
        if (params.length !== 4) return this.reply(Confirm.packetError);
        this.verified = params.readUInt32BE(0) === this.password >>> 0;
        return this.reply(this.verified ? Confirm.ok : Confirm.wrongPassword);
      }
      case 'ReadSysPara':
        return this.reply(
          Confirm.ok,
          encodeSystemParameters({
            statusRegister: 0,
            systemId: 0x0009,
            librarySize: this.librarySize,
            securityLevel: 3,
            address: this.address,
            packetSize: this.packetSize,
            baudRate: 57600,
          }),
        );
      case 'GenImg':
        if (!this.finger) return this.reply(Confirm.noFinger);
        this.image = Buffer.from(this.finger);
        return this.reply(Confirm.ok);
      case 'Img2Tz': {
        const id = bufferId(params);
        if (id === undefined) return this.reply(Confirm.packetError);
        if (!this.image) return this.reply(Confirm.noValidImage);
        this.charBuffers.set(id, Buffer.from(this.image));
        return this.reply(Confirm.ok);
      }
      case 'Match': {
        const a = this.charBuffers.get(1);
        const b = this.charBuffers.get(2);
        const score = a && b ? similarityScore(a, b) : 0;
        return this.reply(score >= MATCH_THRESHOLD ? Confirm.ok : Confirm.noMatch, u16(score));
      }
      case 'UpChar': {
        const id = bufferId(params);
        if (id === undefined) return this.reply(Confirm.packetError);
        const data = this.charBuffers.get(id);
        if (!data) return this.reply(Confirm.uploadFail);
        return this.reply(Confirm.ok, undefined, encodeDataPackets(this.address, data, this.packetSize));
      }
      case 'DownChar': {
        const id = bufferId(params);
        if (id === undefined) return this.reply(Confirm.packetError);
        this.receiving = { bufferId: id, parts: [] };
        return this.reply(Confirm.ok);
      }
      case 'Store': {
        const id = bufferId(params.subarray(0, 1));
        const data = id === undefined ? undefined : this.charBuffers.get(id);
        if (params.length < 3 || !data) return this.reply(Confirm.packetError);
        const page = params.readUInt16BE(1);
        if (page >= this.librarySize) return this.reply(Confirm.badPage);
        this.library.set(page, Buffer.from(data));
        return this.reply(Confirm.ok);
      }
      case 'LoadChar': {
        const id = bufferId(params.subarray(0, 1));
        if (id === undefined || params.length < 3) return this.reply(Confirm.packetError);
        const stored = this.library.get(params.readUInt16BE(1));
        if (!stored) return this.reply(Confirm.badTemplate);
        this.charBuffers.set(id, Buffer.from(stored));
        return this.reply(Confirm.ok);
      }
      case 'DeleteChar': {
        if (params.length < 4) return this.reply(Confirm.packetError);
        const first = params.readUInt16BE(0);
        const count = params.readUInt16BE(2);
        for (let page = first; page < first + count; page++) this.library.delete(page);
        return this.reply(Confirm.ok);
      }
      case 'Empty':
        this.library.clear();
        return this.reply(Confirm.ok);
      case 'TemplateNum':
        return this.reply(Confirm.ok, u16(this.library.size));
      default: {
        const never: never = name;
        return never;
      }
    }
  }

  private takeFailure(name: InstructionName): number | undefined {
    const i = this.failures.findIndex((f) => f.instruction === name || f.instruction === 'any');
    if (i < 0) return undefined;
    return this.failures.splice(i, 1)[0].code;
  }

  private reply(code: number, params?: Buffer, data: Buffer[] = []): void {
    if (this.muted) return;
    const packets = [encodeAck(this.address, code, params), ...(code === Confirm.ok ? data : [])];
    void this.enqueue(packets, true);
  }

  /** Sends in order, applying fault hooks; a lost line just drops the bytes. */
  private enqueue(packets: Buffer[], faults: boolean): Promise<void> {
    let out = packets;
    if (faults) {
      out = out.map((p) => {
        if (this.corrupt === 0) return p;
        if (this.corruptSkip > 0) {
          this.corruptSkip--;
          return p;
        }
        this.corrupt--;
        const bad = Buffer.from(p);
        bad[bad.length - 1] = bad[bad.length - 1] ^ 0xff;
        return bad;
      });
      if (this.cut > 0) {
        this.cut--;
        out = [out[0].subarray(0, Math.ceil(out[0].length / 2))];
      }
      const noise = this.garble.shift();
      if (noise) out = [noise, ...out];
    }
    const bytes = Buffer.concat(out);
    const delay = this.replyDelayMs;
    this.outbox = this.outbox
      .then(async () => {
        if (delay > 0) await new Promise<void>((resolve) => this.clock.setTimeout(resolve, delay));
        if (this.transport.isOpen) await this.transport.write(bytes);
      })
      .catch(() => undefined);
    return this.outbox;
  }
}

function bufferId(params: Buffer): number | undefined {
  const id = params[0];
  return id === 1 || id === 2 ? id : undefined;
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(Math.min(0xffff, Math.max(0, n)));
  return b;
}
