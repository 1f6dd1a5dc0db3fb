/** A database the kiosk must not run on: corrupt, unreadable, or from a newer version. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: 'corrupt' | 'newer-schema' | 'open-failed' | 'conflict',
    message: string,
  ) {
    super(message);
  }
}
