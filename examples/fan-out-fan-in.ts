/**
 * @module examples/fan-out-fan-in
 * Fan-out/fan-in: start n activities at once, wait for all of them with
 * `Task.all`, and sum the results. The input is n, or `{ n, delayMs }` to
 * make each activity take a while (the crash-recovery test uses that).
 */
import { app, Task } from 'perdure';

export type FanOutInput = number | { readonly n: number; readonly delayMs?: number };

export const fanOutWork = app.activity('FanOutWork', async (input: { index: number; delayMs: number }, ctx) => {
  if (input.delayMs > 0) await sleep(input.delayMs, ctx.signal);
  return input.index;
});

export const fanOutFanIn = app.orchestration('FanOutFanIn', function* (ctx) {
  const input = ctx.getInput<FanOutInput>();
  const n = typeof input === 'number' ? input : (input?.n ?? 0);
  const delayMs = typeof input === 'object' ? (input.delayMs ?? 0) : 0;
  const tasks = Array.from({ length: n }, (_, i) => ctx.callActivity(fanOutWork, { index: i + 1, delayMs }));
  const values = yield* Task.all(tasks);
  return values.reduce((sum, value) => sum + value, 0);
});

/** Rejects when the host shuts down, so the activity is handed back rather than reported done. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
