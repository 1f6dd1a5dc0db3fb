/**
 * One card operation at a time, and a way to reject whatever is pending when
 * the card leaves, the reader goes or the driver closes. An aborted operation
 * rejects at once, even while its APDU is still out (a native transmit can not
 * be cancelled); its later APDUs are never sent.
 */

export interface OpSignal {
  /** Set once the operation was aborted; check before each APDU. */
  readonly aborted: boolean;
  /** Why, when aborted. */
  readonly reason: Error | undefined;
}

interface Pending {
  signal: { aborted: boolean; reason: Error | undefined };
  reject: (err: Error) => void;
}

export class OpQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly pending = new Set<Pending>();

  /** Runs `fn` after every earlier operation has settled. */
  run<T>(fn: (signal: OpSignal) => Promise<T>): Promise<T> {
    const signal = { aborted: false, reason: undefined as Error | undefined };
    let entry: Pending | undefined;
    const result = new Promise<T>((resolve, reject) => {
      entry = { signal, reject };
      const start = () => {
        if (signal.aborted) return; // rejected while it waited its turn
        // via a promise so a synchronous throw in fn rejects too
        new Promise<T>((res) => res(fn(signal))).then(resolve, reject);
      };
      this.tail.then(start, start);
    });
    this.pending.add(entry!);
    const settled = result.finally(() => this.pending.delete(entry!));
    this.tail = settled.catch(() => undefined);
    return settled;
  }

  /** Rejects every pending and queued operation with `err`. */
  abortAll(err: Error): void {
    for (const p of [...this.pending]) {
      p.signal.aborted = true;
      p.signal.reason = err;
      p.reject(err);
    }
    this.pending.clear();
  }

  get size(): number {
    return this.pending.size;
  }
}
