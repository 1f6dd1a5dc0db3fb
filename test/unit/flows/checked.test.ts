/**
 * An operator marks a compartment set aside after a crash (unknown outcome,
 * audit `unlock.unknown`) as checked: empty, or the parcel still inside — on
 * the keypad, or by a signed remote `kiosk.command`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { rfc3339 } from '../../../src/core/clock.js';
import { silentLog } from '../../../src/core/log.js';
import { b64uDecode, createTrustStore, encodeEnvelope, generateEd25519, signEnvelope, uuidv7, type Signer } from '../../../src/domain/index.js';
import { OperatorCommands, type CommandHandler } from '../../../src/link/commands.js';
import { OPERATOR, flowKiosk, type FlowKiosk } from './harness.js';

let f: FlowKiosk | null = null;
afterEach(async () => {
  await f?.stop();
  f = null;
});

function bodies(k: FlowKiosk, kind: string): Array<Record<string, unknown>> {
  return k.k.store.outbox
    .all()
    .filter((r) => r.kind === kind)
    .map((r) => JSON.parse((b64uDecode((JSON.parse(r.payload.toString('utf8')) as { body: string }).body) as Buffer).toString('utf8')) as Record<string, unknown>);
}

/** T-1 in A02: the right code unlocks it, the kiosk dies before it sees the door, and restarts: A02 set aside. */
async function setAside(k: FlowKiosk): Promise<void> {
  await k.stored('T-1', '12121212', 'A02');
  await k.scan('shop-a/T-1');
  await k.press('12121212#');
  expect(k.screen()).toEqual({ id: 'door-open', compartment: 'A02' });
  await k.restart();
  expect(k.k.store.audit.ofKind('unlock.unknown')).toHaveLength(1);
  expect(k.k.store.compartments.get('A02')?.state).toBe('check');
}

async function operatorMarks(k: FlowKiosk, key: '4' | '5'): Promise<void> {
  await k.press('**');
  await k.press(`${OPERATOR.id}#${OPERATOR.pin}#`);
  await k.press(`2#${key}`);
  await k.press('6#');
}

describe('an operator marks a set-aside compartment as checked, on the keypad', () => {
  it('empty: the parcel left with the person whose code unlocked it, so it is handed over with that receipt; the compartment is free', async () => {
    f = await flowKiosk();
    await setAside(f);
    const eventId = f.k.store.parcels.get('shop-a', 'T-1')?.handover?.eventId;
    expect(eventId).toBeTruthy();
    await operatorMarks(f, '4');
    expect(f.screen()).toEqual({ id: 'operator-done', compartment: 'A02', action: 'checked-empty' });
    expect(f.k.store.parcels.get('shop-a', 'T-1')).toMatchObject({ state: 'handed_over', handover: null });
    expect(f.k.store.compartments.get('A02')).toMatchObject({ state: 'free', note: null });
    const receipts = bodies(f, 'parcel.handed_over');
    expect(receipts).toHaveLength(1);
    expect(receipts[0]).toMatchObject({ id: eventId, txn: 'T-1', lockerId: 'A02', method: 'slip' });
    expect(typeof receipts[0]?.recipientProof).toBe('string');
    expect(f.k.store.audit.ofKind('compartment.checked').at(-1)).toMatchObject({ compartmentId: 'A02', txn: 'T-1', detail: `operator ${OPERATOR.id}: empty: reason 6; T-1 handed over` });
    // The code opens nothing now.
    await f.press('**');
    await f.scan('shop-a/T-1');
    await f.press('12121212#');
    expect(f.pulses('A02')).toBe(0);
  });

  it('parcel inside: back to stored, no receipt, collectable again with its code', async () => {
    f = await flowKiosk();
    await setAside(f);
    await operatorMarks(f, '5');
    expect(f.screen()).toEqual({ id: 'operator-done', compartment: 'A02', action: 'checked-inside' });
    expect(f.k.store.parcels.get('shop-a', 'T-1')).toMatchObject({ state: 'stored', compartmentId: 'A02', handover: null });
    expect(f.k.store.compartments.get('A02')?.state).toBe('occupied');
    expect(bodies(f, 'parcel.handed_over')).toHaveLength(0);
    await f.press('**');
    await f.scan('shop-a/T-1');
    await f.press('12121212#');
    expect(f.screen()).toEqual({ id: 'door-open', compartment: 'A02' });
    await f.door('A02', true);
    await f.door('A02', false);
    expect(bodies(f, 'parcel.handed_over')).toHaveLength(1);
  });

  it('refuses to mark a compartment that is not set aside, or a stored parcel never unlocked as gone', async () => {
    f = await flowKiosk();
    await f.stored('T-2', '12121212', 'A03');
    await operatorMarks(f, '4'); // A02: free, not set aside
    expect(f.screen()).toEqual({ id: 'refused', reason: 'cannot-mark', compartment: 'A02' });
    await f.press('#');
    // A03 taken out of service with T-2 in it, then "empty": it was never unlocked for anyone.
    await f.press('3#2');
    await f.press('1#');
    expect(f.k.store.compartments.get('A03')?.state).toBe('check');
    await f.press('#');
    await f.press('3#4');
    await f.press('1#');
    expect(f.screen()).toEqual({ id: 'refused', reason: 'cannot-mark', compartment: 'A03' });
    expect(f.k.store.parcels.get('shop-a', 'T-2')?.state).toBe('stored');
    expect(f.k.store.outbox.all().filter((r) => r.kind === 'parcel.handed_over')).toHaveLength(0);
  });
});

describe('with an item sensor', () => {
  it('refuses a finding the sensor contradicts; accepts the one it agrees with', async () => {
    f = await flowKiosk(undefined, undefined, { itemSensors: ['A02'] });
    await f.putItem('A02');
    await setAside(f);
    await operatorMarks(f, '4');
    expect(f.screen()).toEqual({ id: 'refused', reason: 'cannot-mark', compartment: 'A02' });
    expect(f.k.store.parcels.get('shop-a', 'T-1')?.state).toBe('stored');
    expect(f.k.store.compartments.get('A02')?.state).toBe('check');
    expect(f.k.kiosk.markChecked('A02', 'empty', 'remote operator ops-1', 'x')).toEqual({
      ok: false,
      words: 'compartment A02 not marked: its item sensor reads something inside; look again (nothing changed)',
    });
    await f.press('#');
    await f.press('2#5');
    await f.press('6#');
    expect(f.screen()).toEqual({ id: 'operator-done', compartment: 'A02', action: 'checked-inside' });
    expect(f.k.store.compartments.get('A02')?.state).toBe('occupied');
    expect(f.k.store.outbox.all().filter((r) => r.kind === 'parcel.handed_over')).toHaveLength(0);
  });
});

describe('a signed remote kiosk.command marks it checked', () => {
  const operator: Signer = { id: 'ops-1', keys: generateEd25519() };

  async function remote(): Promise<{ send: (body: Record<string, unknown>) => Promise<Record<string, unknown>>; answers: Array<Record<string, unknown>> }> {
    let handler: CommandHandler | null = null;
    f = await flowKiosk(undefined, undefined, { onCommands: (h) => (handler = h) });
    await setAside(f);
    expect(handler).not.toBeNull();
    const answers: Array<Record<string, unknown>> = [];
    const k = f;
    const cmds = new OperatorCommands({
      kioskId: k.config.kioskId,
      operators: createTrustStore({ [operator.id]: [operator.keys.publicKey.toString('hex')] }),
      store: k.k.store,
      clock: k.clock,
      log: silentLog,
      handler: handler as unknown as CommandHandler,
      answer: (b) => answers.push(b),
    });
    return {
      answers,
      send: async (body) => {
        const id = uuidv7(k.clock.now());
        const payload = encodeEnvelope(signEnvelope({ type: 'kiosk.command', id, at: rfc3339(k.clock.now()), kioskId: k.config.kioskId, ...body }, operator));
        await cmds.handle(payload);
        return answers.at(-1) as Record<string, unknown>;
      },
    };
  }

  it('found empty: handed over with its receipt, audited, answered on the operator topic', async () => {
    const r = await remote();
    const k = f as FlowKiosk;
    const a = await r.send({ action: 'mark-checked', compartmentId: 'A02', found: 'empty', reason: 'looked inside on the camera and on site' });
    expect(a).toMatchObject({ type: 'kiosk.command.result', ok: true, action: 'mark-checked', by: 'ops-1' });
    expect(a.detail).toBe('compartment A02 checked (empty): T-1 handed over; back in service');
    expect(k.k.store.parcels.get('shop-a', 'T-1')?.state).toBe('handed_over');
    expect(k.k.store.compartments.get('A02')?.state).toBe('free');
    expect(bodies(k, 'parcel.handed_over')).toHaveLength(1);
    expect(k.k.store.audit.ofKind('compartment.checked').at(-1)).toMatchObject({ compartmentId: 'A02', detail: 'remote operator ops-1: empty: looked inside on the camera and on site; T-1 handed over' });
    expect(k.k.store.audit.ofKind('operator.command').at(-1)?.detail).toContain('mark-checked');
    // The same again: not set aside any more; refused in words, nothing sent twice.
    const again = await r.send({ action: 'mark-checked', compartmentId: 'A02', found: 'empty', reason: 'again' });
    expect(again).toMatchObject({ ok: false, action: 'mark-checked' });
    expect(again.detail).toContain('not set aside for checking');
    expect(bodies(k, 'parcel.handed_over')).toHaveLength(1);
  });

  it('found inside: stored again; a malformed `found` is refused and changes nothing', async () => {
    const r = await remote();
    const k = f as FlowKiosk;
    const bad = await r.send({ action: 'mark-checked', compartmentId: 'A02', found: 'maybe', reason: 'x' });
    expect(bad).toMatchObject({ ok: false, refused: 'malformed' });
    expect(k.k.store.compartments.get('A02')?.state).toBe('check');
    const a = await r.send({ action: 'mark-checked', compartmentId: 'A02', found: 'inside', reason: 'parcel seen inside' });
    expect(a).toMatchObject({ ok: true, detail: 'compartment A02 checked (parcel inside): T-1 still inside; back in service' });
    expect(k.k.store.parcels.get('shop-a', 'T-1')).toMatchObject({ state: 'stored', handover: null });
    expect(k.k.store.compartments.get('A02')?.state).toBe('occupied');
    expect(bodies(k, 'parcel.handed_over')).toHaveLength(0);
  });
});
