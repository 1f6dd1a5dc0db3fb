/**
 * Remote operations (protocol-notes.md, "Operator commands"): a
 * `kiosk.command` on pk/v1/kiosk/{kioskId}/command, signed by a trusted
 * operator key, opens a compartment for support, sets or clears out of
 * service, marks a compartment set aside for checking as checked (empty, or
 * the parcel inside), or asks for diagnostics. Each one — done, failed or refused — is
 * written to the audit log and answered on pk/v1/kiosk/{kioskId}/operator.
 * A command is refused when it is unsigned, signed by no trusted operator
 * key, stale (`at` more than 5 minutes away from now) or replayed (its id was
 * handled before; ids are kept 8 days in the database).
 */
import { rfc3339, type Clock } from '../core/clock.js';
import type { Log } from '../core/log.js';
import { isId, openEnvelope, parseRfc3339, uuidv7, type TrustStore } from '../domain/index.js';
import type { Store } from '../store/index.js';
import { readCommon, type Read } from './messages.js';

/** A command's `at` may be this far from the kiosk's clock, either way. */
export const COMMAND_MAX_AGE_MS = 5 * 60_000;
const REASON_MAX = 200;
/** Refusals answered on the operator topic per minute; beyond that they are only counted. */
const REFUSALS_PER_MINUTE = 20;

export type CommandAction = 'open' | 'set-out-of-service' | 'clear-out-of-service' | 'mark-checked' | 'diagnostics';

export type KioskCommand =
  | { action: 'open'; id: string; compartmentId: string; reason: string }
  | { action: 'set-out-of-service' | 'clear-out-of-service'; id: string; whole: boolean; compartments: string[]; reason: string }
  /** Staff looked into a compartment set aside for checking: `found` empty, or the parcel inside. */
  | { action: 'mark-checked'; id: string; compartmentId: string; found: 'empty' | 'inside'; reason: string }
  | { action: 'diagnostics'; id: string };

export type Refusal = 'unsigned' | 'untrusted' | 'bad-signature' | 'malformed' | 'wrong-kiosk' | 'stale' | 'replayed';

/** What the kiosk does for each command (app wiring); results are words for the operator, or data for diagnostics. */
export interface CommandHandler {
  open(compartmentId: string, reason: string, by: string): Promise<string>;
  setOutOfService(target: { whole: boolean; compartments: string[] }, on: boolean, reason: string, by: string): string;
  /** Throws (with words for the operator) when the compartment cannot be marked so. */
  markChecked(compartmentId: string, found: 'empty' | 'inside', reason: string, by: string): string;
  diagnostics(): Record<string, unknown>;
}

export interface CommandResult {
  commandId: string | null;
  by: string | null;
  action: CommandAction | null;
  ok: boolean;
  refused?: Refusal;
  detail: string;
  diagnostics?: Record<string, unknown>;
}

export interface CommandsDeps {
  kioskId: string;
  operators: TrustStore;
  store: Store;
  clock: Clock;
  log: Log;
  handler: CommandHandler;
  /** Publishes a result body (signed by the link) on the operator topic. */
  answer(body: Record<string, unknown>): void;
}

export function readCommand(body: Record<string, unknown>, kioskId: string): Read<KioskCommand> | { ok: false; reason: string; wrongKiosk: true } {
  const c = readCommon(body, 'kiosk.command');
  if (!c.ok) return c;
  const id = c.value.id;
  if (body.kioskId !== kioskId) return { ok: false, reason: `for kiosk ${JSON.stringify(body.kioskId)}, not this one`, wrongKiosk: true };
  const reason = body.reason;
  const reasonOk = typeof reason === 'string' && reason.trim().length > 0 && reason.length <= REASON_MAX;
  switch (body.action) {
    case 'open':
      if (typeof body.compartmentId !== 'string' || !isId(body.compartmentId)) return { ok: false, reason: 'compartmentId is not an id' };
      if (!reasonOk) return { ok: false, reason: `reason must be 1-${REASON_MAX} characters` };
      return { ok: true, value: { action: 'open', id, compartmentId: body.compartmentId, reason: reason } };
    case 'set-out-of-service':
    case 'clear-out-of-service': {
      const whole = body.whole === true;
      const list = body.compartments ?? [];
      if (!Array.isArray(list) || list.length > 1000 || !list.every((x): x is string => typeof x === 'string' && isId(x))) {
        return { ok: false, reason: 'compartments is not a list of ids' };
      }
      if (!whole && list.length === 0) return { ok: false, reason: 'name compartments or set whole: true' };
      if (!reasonOk) return { ok: false, reason: `reason must be 1-${REASON_MAX} characters` };
      return { ok: true, value: { action: body.action, id, whole, compartments: list, reason: reason } };
    }
    case 'mark-checked':
      if (typeof body.compartmentId !== 'string' || !isId(body.compartmentId)) return { ok: false, reason: 'compartmentId is not an id' };
      if (body.found !== 'empty' && body.found !== 'inside') return { ok: false, reason: 'found must be "empty" or "inside"' };
      if (!reasonOk) return { ok: false, reason: `reason must be 1-${REASON_MAX} characters` };
      return { ok: true, value: { action: 'mark-checked', id, compartmentId: body.compartmentId, found: body.found, reason: reason } };
    case 'diagnostics':
      return { ok: true, value: { action: 'diagnostics', id } };
    default:
      return { ok: false, reason: `action ${JSON.stringify(body.action)} is not open, set-out-of-service, clear-out-of-service, mark-checked or diagnostics` };
  }
}

function looksUnsigned(payload: Buffer): boolean {
  try {
    const v = JSON.parse(payload.toString('utf8')) as unknown;
    return typeof v !== 'object' || v === null || !('sig' in v) || typeof (v).sig !== 'string' || (v as { sig: string }).sig === '';
  } catch {
    return true;
  }
}

export class OperatorCommands {
  private refusalsThisMinute = 0;
  private minuteStart = 0;
  private quietRefusals = 0;

  constructor(private readonly d: CommandsDeps) {}

  /** Handles one message from the command topic. Never throws; resolves when the answer is queued. */
  async handle(payload: Buffer): Promise<CommandResult> {
    let result: CommandResult;
    try {
      result = await this.run(payload);
    } catch (e) {
      result = { commandId: null, by: null, action: null, ok: false, detail: `handling failed: ${(e as Error).message}` };
    }
    this.finish(result);
    return result;
  }

  private async run(payload: Buffer): Promise<CommandResult> {
    const { d } = this;
    const now = d.clock.now();
    const opened = openEnvelope(payload, d.operators, now);
    if (!opened.ok) {
      const refused: Refusal =
        opened.reason === 'untrusted' ? 'untrusted' : opened.reason === 'bad-signature' ? 'bad-signature' : looksUnsigned(payload) ? 'unsigned' : 'malformed';
      const words = { untrusted: `signed by no trusted operator key of ${opened.by ?? '?'}`, 'bad-signature': 'signature does not verify', unsigned: 'not signed', malformed: `envelope ${opened.reason}` };
      return { commandId: null, by: opened.by, action: null, ok: false, refused, detail: words[refused] };
    }
    const by = opened.by;
    const cmdId = typeof opened.body.id === 'string' ? opened.body.id.slice(0, 128) : null;
    const cmd = readCommand(opened.body, d.kioskId);
    if (!cmd.ok) {
      const refused: Refusal = 'wrongKiosk' in cmd ? 'wrong-kiosk' : 'malformed';
      return { commandId: cmdId, by, action: null, ok: false, refused, detail: cmd.reason };
    }
    const c = cmd.value;
    const at = parseRfc3339(opened.body.at as string);
    if (at === null || Math.abs(now - at) > COMMAND_MAX_AGE_MS) {
      return { commandId: c.id, by, action: c.action, ok: false, refused: 'stale', detail: `made at ${String(opened.body.at)}, more than 5 minutes from the kiosk's time ${rfc3339(now)}` };
    }
    if (!d.store.messages.markHandled(`command:${c.id}`, by, now)) {
      return { commandId: c.id, by, action: c.action, ok: false, refused: 'replayed', detail: 'this command id was handled before' };
    }
    switch (c.action) {
      case 'open':
        try {
          return { commandId: c.id, by, action: c.action, ok: true, detail: await d.handler.open(c.compartmentId, c.reason, by) };
        } catch (e) {
          return { commandId: c.id, by, action: c.action, ok: false, detail: (e as Error).message };
        }
      case 'set-out-of-service':
      case 'clear-out-of-service':
        try {
          const on = c.action === 'set-out-of-service';
          return { commandId: c.id, by, action: c.action, ok: true, detail: d.handler.setOutOfService({ whole: c.whole, compartments: c.compartments }, on, c.reason, by) };
        } catch (e) {
          return { commandId: c.id, by, action: c.action, ok: false, detail: (e as Error).message };
        }
      case 'mark-checked':
        try {
          return { commandId: c.id, by, action: c.action, ok: true, detail: d.handler.markChecked(c.compartmentId, c.found, c.reason, by) };
        } catch (e) {
          return { commandId: c.id, by, action: c.action, ok: false, detail: (e as Error).message };
        }
      case 'diagnostics':
        return { commandId: c.id, by, action: c.action, ok: true, detail: 'diagnostics', diagnostics: d.handler.diagnostics() };
    }
  }

  /** Audit every outcome; answer on the operator topic (refusals at a bounded rate). */
  private finish(r: CommandResult): void {
    const { d } = this;
    const now = d.clock.now();
    const what = r.refused ? `refused (${r.refused})` : r.ok ? 'done' : 'failed';
    try {
      d.store.audit.add(r.refused ? 'operator.command.refused' : 'operator.command', now, {
        detail: `${r.action ?? '?'} ${r.commandId ?? '?'} by ${r.by ?? '?'}: ${what}: ${r.detail}`.slice(0, 500),
      });
    } catch (e) {
      d.log.error({ err: (e as Error).message }, 'could not write the audit row for an operator command');
    }
    const log = { commandId: r.commandId, by: r.by, action: r.action, ok: r.ok, refused: r.refused };
    if (r.refused) d.log.warn(log, `operator command refused: ${r.detail}`);
    else d.log.info(log, `operator command ${what}`);
    if (r.refused && !this.refusalBudget(now)) return;
    const body: Record<string, unknown> = {
      type: 'kiosk.command.result',
      id: uuidv7(now),
      at: rfc3339(now),
      kioskId: d.kioskId,
      commandId: r.commandId,
      by: r.by,
      action: r.action,
      ok: r.ok,
      ...(r.refused ? { refused: r.refused } : {}),
      detail: r.detail,
      ...(r.diagnostics ? { diagnostics: r.diagnostics } : {}),
    };
    try {
      d.answer(body);
    } catch (e) {
      d.log.warn({ err: (e as Error).message }, 'could not answer an operator command');
    }
  }

  private refusalBudget(now: number): boolean {
    if (now - this.minuteStart >= 60_000) {
      if (this.quietRefusals > 0) this.d.log.warn(`${this.quietRefusals} more operator commands were refused without an answer`);
      this.minuteStart = now;
      this.refusalsThisMinute = 0;
      this.quietRefusals = 0;
    }
    if (this.refusalsThisMinute >= REFUSALS_PER_MINUTE) {
      this.quietRefusals++;
      return false;
    }
    this.refusalsThisMinute++;
    return true;
  }
}
