/**
 * @module send-batcher
 * Group commit for client messages: sends made in the same tick (entity
 * signals, above all) share one store transaction. Each message is still
 * decided on its own, in call order, so batching changes no outcome.
 */
import type { ClientMessage, SendResult, Store } from '../store/store.ts';

interface Pending {
  readonly message: ClientMessage;
  readonly resolve: (result: SendResult) => void;
  readonly reject: (error: unknown) => void;
}

export class SendBatcher {
  #queue: Pending[] = [];
  #scheduled = false;
  constructor(
    private readonly store: Store,
    private readonly maxBatch = 1000,
  ) {}

  send(message: ClientMessage): Promise<SendResult> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ message, resolve, reject });
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
        const results = await this.store.send(batch.map((p) => p.message));
        batch.forEach((pending, i) => pending.resolve(results[i]!));
      } catch (error) {
        batch.forEach((pending) => pending.reject(error));
      }
    }
    this.#scheduled = false;
  }
}
