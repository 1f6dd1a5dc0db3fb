export type LinkErrorCode = 'bad-url' | 'tls-files' | 'offline' | 'stopped' | 'publish-failed' | 'bad-option';

/** A link failure with a reason a person can act on. */
export class LinkError extends Error {
  override readonly name = 'LinkError';
  constructor(
    readonly code: LinkErrorCode,
    message: string,
  ) {
    super(message);
  }
}
