/**
 * @module runtime/store-client
 * A durable client straight on a store, with no app and no workers: what an
 * operator tool needs to read and act on instances that hosts elsewhere run.
 *
 * What must hold:
 * - It never runs orchestrations or activities; what it queues (a start, an
 *   event, a control message) is picked up by the hosts on the same store,
 *   through the store's notifications or their idle poll.
 * - With no app, starts are not checked against a registry: an orchestration
 *   no host knows stays Pending until one does.
 * - Closing it closes the store it opened.
 */
import { DurableClient } from '../client/client.ts';
import { DEFAULT_MAX_PAYLOAD_BYTES } from '../model/json.ts';
import { openStore } from '../store/open-store.ts';
import type { Store } from '../store/store.ts';
import { CompletionNotifier } from '../worker/completion-notifier.ts';
import { systemClock } from './clock.ts';

export interface StoreClient extends AsyncDisposable {
  readonly client: DurableClient;
  readonly store: Store;
  close(): Promise<void>;
}

/**
 * Opens (and migrates) the store at `url` and returns a client on it.
 *
 * @example
 * await using target = await openStoreClient('sqlite:./.perdure/perdure.db');
 * const page = await target.client.listInstances({ pageSize: 10 });
 */
export async function openStoreClient(url: string): Promise<StoreClient> {
  const store = await openStore(url);
  // No local worker ever holds an instance here, so waits fall back to polling the store.
  const client = new DurableClient({
    store,
    clock: systemClock,
    completions: new CompletionNotifier(),
    maxPayloadBytes: DEFAULT_MAX_PAYLOAD_BYTES,
  });
  let closed: Promise<void> | undefined;
  const close = () => (closed ??= store.close());
  return { client, store, close, [Symbol.asyncDispose]: close };
}
