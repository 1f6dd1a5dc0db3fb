import { rfc3339, type Clock } from '../core/clock.js';
import { encodeEnvelope, signEnvelope, uuidv7, type Signer } from '../domain/index.js';
import type { Store } from '../store/index.js';

export type EventType = 'parcel.arrived' | 'parcel.handed_over' | 'parcel.uncollected' | 'parcel.returned';
export type AlarmKind =
  | 'door-left-open'
  | 'door-forced'
  | 'unlock-failed'
  | 'device-lost'
  | 'device-restored'
  | 'attempts-exceeded'
  | 'storage-full'
  | 'message-too-large';

/**
 * Writes what the kiosk reports — seller events and operator alarms — as
 * signed PKP1 envelopes into the outbox. Call it inside the transaction that
 * records the decision being reported, then `queued()` after the commit so
 * the link sends at once.
 */
export class Reporter {
  private listeners: Array<() => void> = [];

  constructor(
    private readonly store: Store,
    private readonly signer: Signer,
    private readonly clock: Clock,
  ) {}

  get kioskId(): string {
    return this.signer.id;
  }

  onQueued(fn: () => void): void {
    this.listeners.push(fn);
  }

  /** Tells the sender new rows wait (after the transaction committed). */
  queued(): void {
    for (const fn of this.listeners) fn();
  }

  event(type: EventType, sellerId: string, txn: string, extra: Record<string, unknown>, eventId?: string): string {
    const now = this.clock.now();
    const id = eventId ?? uuidv7(now);
    const body = { type, id, at: rfc3339(now), kioskId: this.signer.id, txn, ...extra };
    this.store.outbox.add(
      {
        eventId: id,
        topic: `pk/v1/seller/${sellerId}/events`,
        payload: encodeEnvelope(signEnvelope(body, this.signer)),
        kind: type,
        parcelKey: `${sellerId}/${txn}`,
      },
      now,
    );
    return id;
  }

  alarm(kind: AlarmKind, compartmentId: string | null, detail: string): string {
    const now = this.clock.now();
    const id = uuidv7(now);
    const body = { type: 'kiosk.alarm', id, at: rfc3339(now), kioskId: this.signer.id, kind, compartmentId, detail };
    this.store.outbox.add(
      {
        eventId: id,
        topic: `pk/v1/kiosk/${this.signer.id}/alarm`,
        payload: encodeEnvelope(signEnvelope(body, this.signer)),
        kind: 'kiosk.alarm',
        parcelKey: null,
      },
      now,
    );
    this.store.audit.add(`alarm.${kind}`, now, { compartmentId, detail });
    return id;
  }
}
