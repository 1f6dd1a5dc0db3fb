/**
 * The real pcsclite module when pcscd does not answer: libpcsclite is pointed
 * at a socket nobody listens on (PCSCLITE_CSOCK_NAME, read by the client
 * library when it first connects; each test file runs in its own process).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PcscCardReader } from '../../drivers/card/pcsc.js';
import { DeviceError } from '../../src/core/errors.js';

describe('PcscCardReader without pcscd', () => {
  it('open() rejects not-found and says to start pcscd', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiosk-nopcscd-'));
    process.env.PCSCLITE_CSOCK_NAME = join(dir, 'pcscd.comm');
    const reader = new PcscCardReader();
    const err = await reader.open().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DeviceError);
    expect((err as DeviceError).code).toBe('not-found');
    expect((err as DeviceError).message).toMatch(/PC\/SC service not available.*start pcscd/);
    await reader.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
