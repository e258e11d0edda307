/**
 * @module examples/library
 * The README's embedded use, as a program: no server, just a host on a
 * SQLite file in the working directory. `npx tsx examples/library.ts`.
 */
import { app, createHost } from 'perdure';

const sayHello = app.activity('SayHello', async (name: string) => `Hello ${name}!`);

app.orchestration('HelloSequence', function* (ctx) {
  const tokyo = yield* ctx.callActivity(sayHello, 'Tokyo'); // typed: string
  const seattle = yield* ctx.callActivity(sayHello, 'Seattle');
  return [tokyo, seattle];
});

await using host = await createHost({ app, store: 'sqlite:./.perdure/perdure.db' });
const { instanceId } = await host.client.startNew('HelloSequence', { instanceId: 'nightly' });
const status = await host.client.waitForCompletion(instanceId, { timeoutMs: 30_000 });
console.log(status.output);
