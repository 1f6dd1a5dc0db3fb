import { EventEmitter } from 'node:events';

/** Event map: event name → listener arguments. */
export type EventMap = Record<string, unknown[]>;

/**
 * A typed EventEmitter. Drivers emit `error` only when a listener is attached
 * (see {@link TypedEmitter.emitError}), so a device fault never becomes an
 * uncaught exception.
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
}
