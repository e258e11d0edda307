/**
 * @module start-batcher
 * Group commit for starts: concurrent startNew calls made in the same tick
 * share one store transaction. Each request is still decided on its own
 * inside that transaction, so batching never weakens start-if-absent.
 */
import type { StartRequest, StartResult, Store } from '../store/store.ts';

interface Pending {
  readonly request: StartRequest;
  readonly resolve: (result: StartResult) => void;
  readonly reject: (error: unknown) => void;
}

export class StartBatcher {
  #queue: Pending[] = [];
  #scheduled = false;
  constructor(
    private readonly store: Store,
    private readonly maxBatch = 500,
  ) {}

  start(request: StartRequest): Promise<StartResult> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ request, resolve, reject });
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
        const results = await this.store.createInstances(batch.map((p) => p.request));
        batch.forEach((pending, i) => pending.resolve(results[i]!));
      } catch (error) {
        batch.forEach((pending) => pending.reject(error));
      }
    }
    this.#scheduled = false;
  }
}
