import { systemClock, type Clock, type TimerHandle } from '../../src/core/clock.js';
import { silentLog, type Log } from '../../src/core/log.js';
import { DeviceError } from '../../src/core/errors.js';
import { TypedEmitter } from '../../src/core/events.js';
import type { ByteTransport } from '../serial/transport.js';
import type { FingerprintEvents, FingerprintPad, MatchResult } from './contract.js';
import {
  CHAR_FILE_SIZE,
  commands,
  Confirm,
  confirmationWords,
  DEFAULT_ADDRESS,
  DEFAULT_PACKET_SIZE,
  DEFAULT_PASSWORD,
  MAX_PAYLOAD,
  PACKET_SIZES,
  parseMatchScore,
  parseSystemParameters,
  type InstructionName,
} from './r30x-codec.js';
import { R30xWire, type Ack } from './r30x-wire.js';

export interface R30xPadOptions {
  /** Name for messages and logs. Default `fingerprint:r30x <transport>`. */
  name?: string;
  /** The module's address. Default 0xFFFFFFFF. */
  address?: number;
  /** The module's password (VfyPwd). Default 0. */
  password?: number;
  /**
   * Data packet size for DownChar. Default: read from the module's system
   * parameters at open (128 bytes when the module will not say).
   */
  packetSize?: 32 | 64 | 128 | 256;
  /** How long one command may take before it is a `timeout`. Default 2000 ms. */
  commandTimeoutMs?: number;
  /** How long verify/capture wait for a finger when the caller gives no timeout. Default 10 s. */
  fingerTimeoutMs?: number;
  /** Pause between GenImg polls while no finger is on the pad. Default 100 ms. */
  pollMs?: number;
  /** Silence after which a half-received packet is dropped. Default 200 ms. */
  gapMs?: number;
  /** Commands in a row without any reply before the module counts as gone. Default 2. */
  silentLimit?: number;
  /** How often to knock (VfyPwd) on a module that is gone. Default 1000 ms. */
  reconnectMs?: number;
  /**
   * How long a knock waits for its answer. Short, because the first knock
   * after a replug often goes unheard while the module boots. Default 500 ms.
   */
  knockTimeoutMs?: number;
  clock?: Clock;
  log?: Log;
}

type State = 'idle' | 'opening' | 'ready' | 'lost' | 'closed';

/** Errors carry this prefix, e.g. `fingerprint pad: wrong password (0x13) …`. */
const DEVICE = 'fingerprint pad';

/**
 * An R30x / AS608 fingerprint module on a UART (57600 8N1 by default), doing
 * 1:1 matching against a reference template held by the kiosk.
 *
 * open(): VfyPwd, then ReadSysPara for the data packet size.
 * verify(): GenImg until a finger → Img2Tz(1) → DownChar(2) + reference → Match.
 * capture(): GenImg until a finger → Img2Tz(1) → UpChar(1) → 512-byte template.
 *
 * One command is on the wire at a time; verify and capture do not overlap
 * (a second call rejects `busy`). When the transport is lost, or the module
 * stops answering (`silentLimit` commands in a row), pending calls reject
 * `disconnected` and `disconnect` is emitted; when it answers VfyPwd again,
 * `reconnect` is emitted.
 */
export class R30xPad extends TypedEmitter<FingerprintEvents> implements FingerprintPad {
  readonly name: string;
  private readonly address: number;
  private readonly password: number;
  private packetSize: number;
  private readonly fixedPacketSize: boolean;
  private readonly fingerTimeoutMs: number;
  private readonly pollMs: number;
  private readonly silentLimit: number;
  private readonly reconnectMs: number;
  private readonly knockTimeoutMs: number;
  private readonly clock: Clock;
  private readonly log: Log;
  private readonly wire: R30xWire;
  private state: State = 'idle';
  private busy = false;
  private cancelled = false;
  private silent = 0;
  private probeTimer: TimerHandle | null = null;
  private probing = false;
  private fingerPresent: boolean | null = null;
  private readonly listeners: { off(): void };

  constructor(
    private readonly transport: ByteTransport,
    options: R30xPadOptions = {},
  ) {
    super();
    this.name = options.name ?? `fingerprint:r30x ${transport.description}`;
    this.address = options.address ?? DEFAULT_ADDRESS;
    this.password = options.password ?? DEFAULT_PASSWORD;
    this.packetSize = options.packetSize ?? DEFAULT_PACKET_SIZE;
    this.fixedPacketSize = options.packetSize !== undefined;
    this.fingerTimeoutMs = options.fingerTimeoutMs ?? 10_000;
    this.pollMs = options.pollMs ?? 100;
    this.silentLimit = options.silentLimit ?? 2;
    this.reconnectMs = options.reconnectMs ?? 1000;
    this.knockTimeoutMs = options.knockTimeoutMs ?? 500;
    this.clock = options.clock ?? systemClock;
    this.log = (options.log ?? silentLog).child({ module: 'fingerprint', device: this.name });
    this.wire = new R30xWire(transport, {
      address: this.address,
      commandTimeoutMs: options.commandTimeoutMs ?? 2000,
      gapMs: options.gapMs ?? 200,
      clock: this.clock,
      device: DEVICE,
      onFault: (err) => this.fault(err),
      onReply: () => {
        this.silent = 0;
      },
      onTimeout: () => this.onCommandTimeout(),
    });
    const onData = (chunk: Buffer): void => this.wire.feed(chunk);
    const onClose = (reason: string): void => this.onTransportClose(reason);
    const onOpen = (): void => this.onTransportOpen();
    const onError = (err: Error): void => this.fault(err);
    transport.on('data', onData).on('close', onClose).on('open', onOpen).on('error', onError);
    this.listeners = {
      off: () => {
        transport.off('data', onData).off('close', onClose).off('open', onOpen).off('error', onError);
      },
    };
  }

  async open(): Promise<void> {
    switch (this.state) {
      case 'closed':
        throw new DeviceError('closed', 'the driver was closed; make a new one', DEVICE);
      case 'ready':
      case 'lost':
        return;
      case 'opening':
        throw new DeviceError('busy', 'open() is already in progress', DEVICE);
      case 'idle':
        break;
      default: {
        const never: never = this.state;
        return never;
      }
    }
    this.state = 'opening';
    try {
      await this.transport.open();
      await this.handshake();
    } catch (e) {
      if (this.state === 'opening') this.state = 'idle';
      throw e;
    }
    if (this.state !== 'opening') {
      throw new DeviceError('closed', 'closed while opening', DEVICE);
    }
    this.state = 'ready';
    this.log.info({ packetSize: this.packetSize }, 'fingerprint pad ready');
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.stopProbe();
    this.wire.failAll(new DeviceError('closed', 'the driver was closed', DEVICE));
    this.wire.reset();
    this.listeners.off();
    await this.transport.close();
  }

  async verify(template: Buffer, timeoutMs = this.fingerTimeoutMs): Promise<MatchResult> {
    if (template.length !== CHAR_FILE_SIZE) {
      throw new DeviceError(
        'protocol',
        `the reference template is ${template.length} bytes; an r30x-char file is ${CHAR_FILE_SIZE}`,
        DEVICE,
      );
    }
    return this.exclusive(async () => {
      await this.waitForFinger(timeoutMs);
      this.check(await this.wire.command('Img2Tz', commands.img2Tz(this.address, 1)), 'Img2Tz');
      this.check(await this.wire.command('DownChar', commands.downChar(this.address, 2), false), 'DownChar');
      await this.wire.sendData(template, this.packetSize, 'DownChar');
      const ack = await this.wire.command('Match', commands.match(this.address));
      if (ack.code === Confirm.ok) return { match: true, score: parseMatchScore(ack.params) };
      if (ack.code === Confirm.noMatch) return { match: false, score: 0 };
      throw this.refused(ack.code, 'Match');
    });
  }

  async capture(timeoutMs = this.fingerTimeoutMs): Promise<Buffer> {
    return this.exclusive(async () => {
      await this.waitForFinger(timeoutMs);
      this.check(await this.wire.command('Img2Tz', commands.img2Tz(this.address, 1)), 'Img2Tz');
      this.check(await this.wire.command('UpChar', commands.upChar(this.address, 1), false), 'UpChar');
      const template = await this.wire.receiveData('UpChar', CHAR_FILE_SIZE + MAX_PAYLOAD);
      if (template.length !== CHAR_FILE_SIZE) {
        throw new DeviceError(
          'protocol',
          `the module sent a ${template.length}-byte character file; expected ${CHAR_FILE_SIZE} (r30x-char)`,
          DEVICE,
        );
      }
      return template;
    });
  }

  /** Runs one verify/capture: only when ready, never two at once. */
  private async exclusive<T>(run: () => Promise<T>): Promise<T> {
    switch (this.state) {
      case 'ready':
        break;
      case 'idle':
      case 'opening':
        throw new DeviceError('closed', 'the pad is not open yet; call open() first', DEVICE);
      case 'lost':
        throw new DeviceError('disconnected', `the module is not connected (${this.transport.description})`, DEVICE);
      case 'closed':
        throw new DeviceError('closed', 'the driver was closed', DEVICE);
      default: {
        const never: never = this.state;
        return never;
      }
    }
    if (this.busy) throw new DeviceError('busy', 'another capture is in progress on this pad', DEVICE);
    this.busy = true;
    this.cancelled = false;
    try {
      return await run();
    } finally {
      this.busy = false;
    }
  }

  /** Polls GenImg until the module has an image, or rejects `timeout` at the deadline. */
  private async waitForFinger(timeoutMs: number): Promise<void> {
    const deadline = this.clock.now() + timeoutMs;
    for (;;) {
      const ack = await this.wire.command('GenImg', commands.genImg(this.address));
      switch (ack.code) {
        case Confirm.ok:
          this.setFinger(true);
          return;
        case Confirm.noFinger:
        case Confirm.imageFail: // a finger too light to image: keep asking until the deadline
          if (ack.code === Confirm.noFinger) this.setFinger(false);
          break;
        default:
          throw this.refused(ack.code, 'GenImg');
      }
      const left = deadline - this.clock.now();
      if (left <= 0) throw new DeviceError('timeout', `no finger on the pad within ${timeoutMs} ms`, DEVICE);
      await this.wire.sleep(Math.min(this.pollMs, left));
      if (this.cancelled) throw new DeviceError('timeout', 'the capture was cancelled', DEVICE);
    }
  }

  /** Ends a capture in progress at its next poll (the module itself has nothing to stop). */
  cancel(): void {
    if (this.busy) this.cancelled = true;
  }

  private setFinger(present: boolean): void {
    if (this.fingerPresent === present) return;
    const first = this.fingerPresent === null;
    this.fingerPresent = present;
    // The first poll only learns the state; it is not a change anyone made.
    if (!first || present) this.emitIfOpen('finger', present);
  }

  /** VfyPwd, then the packet size from the system parameters. */
  private async handshake(timeoutMs?: number): Promise<void> {
    const vfy = await this.wire.command('VfyPwd', commands.vfyPwd(this.address, this.password), true, timeoutMs);
    this.check(vfy, 'VfyPwd');
    if (this.fixedPacketSize) return;
    const ack = await this.wire.command('ReadSysPara', commands.readSysPara(this.address), true, timeoutMs);
    const params = ack.code === Confirm.ok ? parseSystemParameters(ack.params) : undefined;
    if (params && (PACKET_SIZES as readonly number[]).includes(params.packetSize)) {
      this.packetSize = params.packetSize;
    } else {
      this.packetSize = DEFAULT_PACKET_SIZE;
      this.log.warn(`ReadSysPara gave no packet size (${confirmationWords(ack.code)}); using ${DEFAULT_PACKET_SIZE} bytes`);
    }
  }

  private check(ack: Ack, what: InstructionName): void {
    if (ack.code !== Confirm.ok) throw this.refused(ack.code, what);
  }

  private refused(code: number, what: InstructionName): DeviceError {
    return new DeviceError('device-error', `${confirmationWords(code)} on ${what}${hint(code)}`, DEVICE);
  }

  private onCommandTimeout(): void {
    this.silent++;
    if (this.state === 'ready' && this.silent >= this.silentLimit) {
      this.lose(`the module stopped answering (${this.silent} commands in a row got no reply)`);
      this.scheduleProbe();
    }
  }

  private onTransportClose(reason: string): void {
    this.wire.reset();
    this.stopProbe();
    if (this.state === 'ready') this.lose(reason);
    else this.wire.failAll(new DeviceError('disconnected', `lost the line to the module (${reason})`, DEVICE));
  }

  private onTransportOpen(): void {
    if (this.state !== 'lost') return;
    this.stopProbe();
    this.knock();
  }

  private lose(reason: string): void {
    this.state = 'lost';
    this.fingerPresent = null;
    this.wire.failAll(new DeviceError('disconnected', `lost the module (${reason})`, DEVICE));
    this.log.warn({ reason }, 'fingerprint pad disconnected');
    this.emitIfOpen('disconnect', reason);
  }

  /** Starts a knock; a listener that throws on `reconnect` must not become an unhandled rejection. */
  private knock(): void {
    this.probe().catch((e: unknown) => {
      this.log.error({ err: e instanceof Error ? e.message : String(e) }, 'fingerprint pad: a reconnect listener threw');
    });
  }

  /** Knocks on the module (VfyPwd); when it answers, it is back. */
  private async probe(): Promise<void> {
    if (this.state !== 'lost' || this.probing) return;
    this.probing = true;
    try {
      await this.handshake(this.knockTimeoutMs);
    } catch (e) {
      this.log.debug({ err: e instanceof Error ? e.message : String(e) }, 'fingerprint pad still gone');
      this.probing = false;
      if (this.state === 'lost' && this.transport.isOpen) this.scheduleProbe();
      return;
    }
    this.probing = false;
    if (this.state !== 'lost') return;
    this.state = 'ready';
    this.silent = 0;
    this.log.info('fingerprint pad reconnected');
    this.emitIfOpen('reconnect');
  }

  private scheduleProbe(): void {
    this.stopProbe();
    this.probeTimer = this.clock.setTimeout(() => {
      this.probeTimer = null;
      this.knock();
    }, this.reconnectMs);
  }

  private stopProbe(): void {
    if (this.probeTimer) this.clock.clearTimeout(this.probeTimer);
    this.probeTimer = null;
  }

  private emitIfOpen<K extends keyof FingerprintEvents>(event: K, ...args: FingerprintEvents[K]): void {
    if (this.state !== 'closed') this.emit(event, ...args);
  }

  private fault(err: Error): void {
    if (this.state !== 'closed') this.emitError(err);
  }
}

/** What a person can do about a confirmation code. */
function hint(code: number): string {
  switch (code) {
    case Confirm.wrongPassword:
      return '; set the pad password in the config to the module password';
    case Confirm.imageMessy:
    case Confirm.tooFewPoints:
    case Confirm.noValidImage:
      return '; ask the person to place the finger again, flat and still';
    case Confirm.packetError:
      return '; the module could not read the packet (noise on the line or a wrong baud rate)';
    case Confirm.receiveFail:
    case Confirm.uploadFail:
      return '; the template transfer failed, try again';
    default:
      return '';
  }
}
