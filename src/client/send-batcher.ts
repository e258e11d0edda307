/**
 * @module send-batcher
 * Group commit for client messages: sends made in the same tick (entity
 * signals, above all) share one store transaction. Each message is still
 * decided on its own, in call order, so batching changes no outcome.
 */
import type { ClientMessage, SendResult, Store } from '../store/store.ts';
import { GroupCommit } from './group-commit.ts';

export class SendBatcher extends GroupCommit<ClientMessage, SendResult> {
  constructor(store: Store, maxBatch = 1000) {
    super((messages) => store.send(messages), maxBatch);
  }

  send(message: ClientMessage): Promise<SendResult> {
    return this.submit(message);
  }
}
