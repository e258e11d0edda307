/**
 * @module cli/wait
 * `perdure instance wait`: polls the target until the instance has finished.
 * One implementation for both targets; a store target sees other hosts'
 * progress only by reading, as the server's own waits do between wake-ups.
 *
 * What must hold: the wait ends by the deadline (WaitForCompletionTimeoutError, exit 1).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { WaitForCompletionTimeoutError } from '../model/errors.ts';
import { isTerminalStatus } from '../model/runtime-status.ts';
import type { StatusBody, Target } from './target.ts';

export async function waitForFinish(target: Target, instanceId: string, timeoutMs: number): Promise<StatusBody> {
  const deadline = Date.now() + timeoutMs;
  let interval = 50;
  for (;;) {
    const status = await target.status(instanceId, false);
    if (isTerminalStatus(status.runtimeStatus)) return status;
    const left = deadline - Date.now();
    if (left <= 0) throw new WaitForCompletionTimeoutError(instanceId, timeoutMs);
    await sleep(Math.min(interval, left));
    interval = Math.min(interval * 2, 1_000);
  }
}
