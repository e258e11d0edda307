/**
 * @module examples/hello-sequence
 * Function chaining: three activity calls, one after the other. Each
 * `yield*` is a durable checkpoint, so a crash between calls resumes after
 * the last completed one instead of starting over.
 */
import { app } from 'perdure';

export const sayHello = app.activity('SayHello', (city: string) => `Hello ${city}!`);

export const helloSequence = app.orchestration('HelloSequence', function* (ctx) {
  const outputs: string[] = [];
  for (const city of ['Tokyo', 'Seattle', 'London']) {
    outputs.push(yield* ctx.callActivity(sayHello, city));
  }
  return outputs;
});
