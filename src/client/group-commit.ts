/**
 * @module group-commit
 * Group commit for client writes: items submitted in the same tick share one
 * store call (one transaction), in submission order, at most `maxBatch` at a
 * time. Each item keeps its own result, so batching changes no outcome; a
 * call that throws rejects every item of its batch, and only those.
 */
interface Pending<I, O> {
  readonly item: I;
  readonly resolve: (result: O) => void;
  readonly reject: (error: unknown) => void;
}

export class GroupCommit<I, O> {
  #queue: Pending<I, O>[] = [];
  #scheduled = false;
  constructor(
    private readonly commit: (items: I[]) => Promise<readonly O[]>,
    private readonly maxBatch: number,
  ) {}

  /** Resolves with the item's own result once its batch is committed. */
  submit(item: I): Promise<O> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => void this.#flush());
      }
    });
  }

  async #flush(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.maxBatch);
      try {
        const results = await this.commit(batch.map((p) => p.item));
        batch.forEach((pending, i) => pending.resolve(results[i]!));
      } catch (error) {
        batch.forEach((pending) => pending.reject(error));
      }
    }
    this.#scheduled = false;
  }
}
