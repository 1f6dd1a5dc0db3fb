import { systemClock, type Clock } from '../../src/core/clock.js';
import type { ByteTransport } from '../serial/transport.js';
import { CU48_CMD, CU48_LOCKS, Cu48Decoder, encodeCu48Reply, hooksToData } from './cu48-codec.js';
import { CU16_CMD, type Cu16Event, type Cu16Request } from './cu16-codec.js';
import { Cu16BoardSim, type Cu16SimOptions, type SimDecoder } from './cu16-sim.js';

export type Cu48SimOptions = Omit<Cu16SimOptions, 'doorSensor'>;

/** CU48 requests in the sims' CU16 terms: 60 (whole board) as 32, 61 as 31; replies and noise are not the board's business. */
function cu48SimDecoder(): SimDecoder {
  const d = new Cu48Decoder();
  return {
    push(chunk) {
      const out: Cu16Event[] = [];
      for (const ev of d.push(chunk)) {
        if (ev.type !== 'request') continue;
        const { board, lock, cmd } = ev.request;
        out.push({ type: 'request', request: { board, lock, cmd: cmd === CU48_CMD.unlock ? CU16_CMD.unlock : CU16_CMD.boardStatus } });
      }
      return out;
    },
    reset: () => d.reset(),
  };
}

/**
 * A CU48 board's end of the bus: 48 self-latching locks with hook switches.
 * Answers the status request (02 ADDR 00 60 03 SUM) addressed to it with its
 * 48 hook bits, and an unlock (61) with an empty acknowledgement after
 * firing the pulse. `requests` records them in CU16 terms (32 status of the
 * board, 31 unlock). Script hooks as CU16: openDoor / closeDoor, `fault`,
 * `inject`, `pulses`.
 */
export class Cu48BoardSim extends Cu16BoardSim {
  constructor(transport: ByteTransport, options: Cu48SimOptions, clock: Clock = systemClock) {
    super(transport, options, clock, { locks: CU48_LOCKS, decoder: cu48SimDecoder });
  }

  /** The 48 hook bits (1 = latched) the next status reply carries; no sensor bits. */
  override bits(): { hooks: number; sensors: number } {
    let hooks = 0;
    this.locks.forEach((l, i) => {
      if (l.locked) hooks += 2 ** i;
    });
    return { hooks, sensors: 0 };
  }

  protected override handle(req: Cu16Request): void {
    this.requests.push(req);
    if (req.cmd === CU16_CMD.unlock) {
      this.pulse(req.lock);
      this.sendLater(this.replyDelayMs, () => encodeCu48Reply(this.address, req.lock, Buffer.alloc(0)));
      return;
    }
    this.sendLater(this.replyDelayMs, () => {
      const { hooks, sensors } = this.bits();
      this.onReply?.(hooks, sensors);
      return encodeCu48Reply(this.address, 1, hooksToData(hooks));
    });
  }
}

/** Attaches one simulated CU48 per address to one transport (boards sharing a bus). */
export function attachCu48Sims(transport: ByteTransport, addresses: number[], options: Omit<Cu48SimOptions, 'address'> = {}, clock: Clock = systemClock): Cu48BoardSim[] {
  return addresses.map((address) => new Cu48BoardSim(transport, { ...options, address }, clock));
}
