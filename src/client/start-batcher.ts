/**
 * @module start-batcher
 * Group commit for starts: concurrent startNew calls made in the same tick
 * share one store transaction. Each request is still decided on its own
 * inside that transaction, so batching never weakens start-if-absent.
 */
import type { StartRequest, StartResult, Store } from '../store/store.ts';
import { GroupCommit } from './group-commit.ts';

export class StartBatcher extends GroupCommit<StartRequest, StartResult> {
  constructor(store: Store, maxBatch = 500) {
    super((requests) => store.createInstances(requests), maxBatch);
  }

  start(request: StartRequest): Promise<StartResult> {
    return this.submit(request);
  }
}
