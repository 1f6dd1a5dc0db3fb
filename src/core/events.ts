import { EventEmitter } from 'node:events';

/** Event map: event name → listener arguments. */
export type EventMap = Record<string, unknown[]>;

/** The argument an emitter's `error` event carries (never, when it has none). */
export type ErrorOf<E extends EventMap> = E extends { error: [infer A, ...unknown[]] } ? A : never;

/**
 * A typed EventEmitter. Emitters report faults with
 * {@link TypedEmitter.emitError}, which emits `error` only when a listener is
 * attached, so a device fault never becomes an uncaught exception.
 */
export class TypedEmitter<E extends EventMap> {
  private readonly inner = new EventEmitter();

  constructor() {
    this.inner.setMaxListeners(50);
  }

  on<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.inner.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  once<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.inner.once(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.inner.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  removeAllListeners(): this {
    this.inner.removeAllListeners();
    return this;
  }

  listenerCount<K extends keyof E & string>(event: K): number {
    return this.inner.listenerCount(event);
  }

  protected emit<K extends keyof E & string>(event: K, ...args: E[K]): boolean {
    return this.inner.emit(event, ...args);
  }

  /**
   * Emits `error` only when someone listens: Node throws an unheard `error`,
   * and a fault on a wire must not kill the kiosk. Returns whether it was
   * heard, so a caller can log what nobody received.
   */
  protected emitError(err: ErrorOf<E>): boolean {
    if (this.inner.listenerCount('error') === 0) return false;
    return this.inner.emit('error', err);
  }
}
