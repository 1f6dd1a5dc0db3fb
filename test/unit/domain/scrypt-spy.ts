// Counts calls to node's crypto.scrypt, the one place a key derivation runs.
// src/domain/kdf.ts calls it through the module object, so a spy sees them.
import crypto from 'node:crypto';
import { afterEach, beforeEach, vi, type MockInstance } from 'vitest';

export function spyOnScrypt(): { calls(): number } {
  let spy: MockInstance | undefined;
  beforeEach(() => {
    spy = vi.spyOn(crypto, 'scrypt');
  });
  afterEach(() => {
    spy?.mockRestore();
  });
  return { calls: () => spy?.mock.calls.length ?? -1 };
}
