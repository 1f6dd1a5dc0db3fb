import { describe, expect, it } from 'vitest';
import { canOpenForRecipient, compartmentStep, parcelStep, type ParcelCustody } from '../../../src/domain/custody.js';

const at = (state: ParcelCustody | null, holdUntil: number | null = null) => ({ state, holdUntil });

describe('parcel custody', () => {
  it('walks expected → loading → stored → handing-over → handed-over', () => {
    expect(parcelStep(at('expected'), { kind: 'load-start' }, 0)).toEqual({ ok: true, next: 'loading' });
    expect(parcelStep(at('loading'), { kind: 'load-done' }, 0)).toEqual({ ok: true, next: 'stored' });
    expect(parcelStep(at('stored', 100), { kind: 'handover-start' }, 99)).toEqual({ ok: true, next: 'handing-over' });
    expect(parcelStep(at('handing-over', 100), { kind: 'handover-done' }, 500)).toEqual({ ok: true, next: 'handed-over' });
  });

  it('refuses the handover at the moment the hold passes, not at the next sweep', () => {
    expect(parcelStep(at('stored', 100), { kind: 'handover-start' }, 100)).toEqual({ ok: false, refused: 'hold-passed', holdUntil: 100 });
    expect(parcelStep(at('stored', 100), { kind: 'hold-check' }, 100)).toEqual({ ok: true, next: 'uncollected' });
    expect(parcelStep(at('stored', 100), { kind: 'hold-check' }, 99)).toMatchObject({ ok: false, refused: 'nothing-to-do' });
  });

  it('never hands over twice, nor what was withdrawn or returned', () => {
    expect(parcelStep(at('handed-over'), { kind: 'handover-start' }, 0)).toMatchObject({ ok: false, refused: 'wrong-state' });
    expect(parcelStep(at('handed-over'), { kind: 'handover-done' }, 0)).toMatchObject({ ok: false, refused: 'wrong-state' });
    expect(parcelStep(at('withdrawn'), { kind: 'handover-start' }, 0)).toMatchObject({ ok: false, refused: 'withdrawn' });
    expect(parcelStep(at('returned'), { kind: 'handover-start' }, 0)).toMatchObject({ ok: false, refused: 'wrong-state' });
  });

  it('undoes a load to expected, or forgets a parcel nobody announced', () => {
    expect(parcelStep(at('loading'), { kind: 'load-undo' }, 0, true)).toEqual({ ok: true, next: 'expected' });
    expect(parcelStep(at('loading'), { kind: 'load-undo' }, 0, false)).toEqual({ ok: true, next: null });
    expect(parcelStep(at('stored'), { kind: 'load-undo' }, 0)).toMatchObject({ ok: false });
  });

  it('undoes a handover to stored', () => {
    expect(parcelStep(at('handing-over'), { kind: 'handover-undo' }, 0)).toEqual({ ok: true, next: 'stored' });
    expect(parcelStep(at('stored'), { kind: 'handover-undo' }, 0)).toMatchObject({ ok: false });
  });

  it('returns only what waits for return', () => {
    expect(parcelStep(at('uncollected'), { kind: 'return-start' }, 0)).toEqual({ ok: true, next: 'returning' });
    expect(parcelStep(at('withdrawn'), { kind: 'return-start' }, 0)).toEqual({ ok: true, next: 'returning' });
    expect(parcelStep(at('stored'), { kind: 'return-start' }, 0)).toMatchObject({ ok: false });
    expect(parcelStep(at('returning'), { kind: 'return-done' }, 0)).toEqual({ ok: true, next: 'returned' });
  });

  it('loads or checks in only what is not here yet', () => {
    expect(parcelStep(at(null), { kind: 'load-start' }, 0)).toEqual({ ok: true, next: 'loading' });
    expect(parcelStep(at(null), { kind: 'check-in' }, 0)).toEqual({ ok: true, next: 'stored' });
    expect(parcelStep(at('stored'), { kind: 'load-start' }, 0)).toMatchObject({ ok: false, refused: 'wrong-state', state: 'stored' });
    expect(parcelStep(at('handed-over'), { kind: 'check-in' }, 0)).toMatchObject({ ok: false });
  });

  it('a seller cancel forgets an expected parcel and withdraws one that is here', () => {
    expect(parcelStep(at('expected'), { kind: 'cancel' }, 0)).toEqual({ ok: true, next: null });
    expect(parcelStep(at('stored'), { kind: 'cancel' }, 0)).toEqual({ ok: true, next: 'withdrawn' });
    expect(parcelStep(at('handed-over'), { kind: 'cancel' }, 0)).toMatchObject({ ok: false, refused: 'nothing-to-do' });
  });
});

describe('compartment custody', () => {
  it('free → reserved → occupied → free', () => {
    expect(compartmentStep('free', { kind: 'reserve' })).toEqual({ ok: true, next: 'reserved' });
    expect(compartmentStep('reserved', { kind: 'fill' })).toEqual({ ok: true, next: 'occupied' });
    expect(compartmentStep('occupied', { kind: 'empty' })).toEqual({ ok: true, next: 'free' });
  });

  it('out of service refuses loads and recipients, and comes back free or occupied', () => {
    expect(compartmentStep('out-of-service', { kind: 'reserve' })).toMatchObject({ ok: false, refused: 'out-of-service' });
    expect(canOpenForRecipient('out-of-service')).toBe(false);
    expect(canOpenForRecipient('occupied')).toBe(true);
    expect(compartmentStep('out-of-service', { kind: 'in-service', holdsParcel: true })).toEqual({ ok: true, next: 'occupied' });
    expect(compartmentStep('out-of-service', { kind: 'in-service', holdsParcel: false })).toEqual({ ok: true, next: 'free' });
    expect(compartmentStep('out-of-service', { kind: 'empty' })).toEqual({ ok: true, next: 'out-of-service' });
  });

  it('a fault sets it aside for checking; a reserved one cannot be taken out of service mid-load', () => {
    expect(compartmentStep('occupied', { kind: 'fault' })).toEqual({ ok: true, next: 'check' });
    expect(compartmentStep('reserved', { kind: 'out-of-service' })).toMatchObject({ ok: false });
    expect(compartmentStep('occupied', { kind: 'reserve' })).toMatchObject({ ok: false, refused: 'wrong-state' });
  });
});
