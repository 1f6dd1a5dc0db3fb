/**
 * vpcd's socket protocol (vsmartcard's virtual reader driver for pcscd), as
 * the card side sees it. Every message is a 2-byte big-endian length and a
 * payload. From vpcd: a 1-byte payload is a control message (0x00 power off,
 * 0x01 power on, 0x02 reset, 0x04 get ATR); anything longer is a command APDU.
 * From the card: the ATR for 0x04, the response APDU for an APDU, nothing for
 * the other control messages. Pure; never throws.
 *
 * A length-prefixed stream has no marker to resync on: the decoder trusts the
 * lengths (vpcd is a local process on TCP, which neither drops nor corrupts
 * bytes), and a zero length, which vpcd never sends, is skipped.
 */

export type VpcdControl = 'power-off' | 'power-on' | 'reset' | 'get-atr';

export type VpcdMessage =
  | { kind: 'control'; control: VpcdControl }
  /** A 1-byte control message this side does not know. */
  | { kind: 'unknown-control'; code: number }
  | { kind: 'apdu'; apdu: Buffer };

/** vpcd's default port for its first slot (0x8C7B); the second slot listens on the next one. */
export const VPCD_PORT = 35963;

const CONTROLS: Record<number, VpcdControl> = { 0x00: 'power-off', 0x01: 'power-on', 0x02: 'reset', 0x04: 'get-atr' };

/** One message for the wire: length then payload. Payloads longer than 65535 bytes are refused. */
export function encodeVpcd(payload: Buffer): Buffer {
  if (payload.length > 0xffff) throw new RangeError(`vpcd message of ${payload.length} bytes exceeds 65535`);
  const out = Buffer.alloc(2 + payload.length);
  out.writeUInt16BE(payload.length, 0);
  payload.copy(out, 2);
  return out;
}

/** Turns a payload from vpcd into a message. */
export function classifyVpcd(payload: Buffer): VpcdMessage {
  if (payload.length === 1) {
    const control = CONTROLS[payload[0]];
    return control ? { kind: 'control', control } : { kind: 'unknown-control', code: payload[0] };
  }
  return { kind: 'apdu', apdu: payload };
}

/** Reassembles messages from TCP chunks split or joined anywhere. */
export class VpcdDecoder {
  private buf = Buffer.alloc(0);

  push(chunk: Buffer): VpcdMessage[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : Buffer.from(chunk);
    const out: VpcdMessage[] = [];
    for (;;) {
      if (this.buf.length < 2) break;
      const len = this.buf.readUInt16BE(0);
      if (this.buf.length < 2 + len) break;
      const payload = Buffer.from(this.buf.subarray(2, 2 + len));
      this.buf = this.buf.subarray(2 + len);
      if (len > 0) out.push(classifyVpcd(payload));
    }
    return out;
  }

  /** Bytes held waiting for the rest of a message. */
  get pending(): number {
    return this.buf.length;
  }

  reset(): void {
    this.buf = Buffer.alloc(0);
  }
}
