/** Why a device operation failed. Each is something an installer can act on. */
export type DeviceErrorCode =
  | 'timeout' // the device did not answer within the command's timeout
  | 'disconnected' // the transport went away (cable pulled, pty closed, reader gone)
  | 'closed' // the driver was closed while the operation was pending
  | 'checksum' // a reply arrived with a bad checksum
  | 'protocol' // a reply that does not fit the request
  | 'device-error' // the device answered with an error status
  | 'unconfirmed' // an actuation the device did not confirm (unlock without status/door)
  | 'busy' // the device refused because it is busy (duty cycle, cooldown)
  | 'not-found' // the configured device is not there
  | 'missing-module'; // the native module for a real driver is not installed

/** A typed device failure. `message` is words for a person; `code` is for code. */
export class DeviceError extends Error {
  override readonly name = 'DeviceError';
  constructor(
    readonly code: DeviceErrorCode,
    message: string,
    readonly device?: string,
  ) {
    super(device ? `${device}: ${message}` : message);
  }
}

export function isDeviceError(e: unknown): e is DeviceError {
  return e instanceof DeviceError;
}
