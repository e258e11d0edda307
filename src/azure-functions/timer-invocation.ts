/**
 * @module azure-functions/timer-invocation
 * Calls one timer function's handler for one occurrence, as the Azure
 * Functions host does: a fresh InvocationContext, the durable client binding
 * if the function asks for it, and the `Timer` object.
 *
 * What must hold: the handler's error is rethrown (the activity running it
 * fails, and a retry policy may run it again), after it is logged under the
 * function's name.
 */
import { randomUUID } from 'node:crypto';
import type { DurableClient as PerdureClient } from '../client/client.ts';
import type { Logger } from '../runtime/logger.ts';
import { provideDurableClient } from './client-binding.ts';
import { InvocationContext, logHandlerFor } from './invocation-context.ts';
import type { TimerFunction } from './registry.ts';
import type { Timer } from './timer-types.ts';

/** A start later than this after its occurrence is reported as `isPastDue`. */
const PAST_DUE_MS = 1_000;

export interface TimerOccurrence {
  /** When the occurrence was due (a trigger: when it was asked for). */
  readonly due: Date;
  readonly client: PerdureClient;
  /** The server's URL, for the check-status URLs the durable client builds. */
  origin(): string;
  readonly logger: Logger;
  readonly now?: () => number;
}

export async function invokeTimer(timer: TimerFunction, occurrence: TimerOccurrence): Promise<void> {
  const context = new InvocationContext({
    invocationId: randomUUID(),
    functionName: timer.name,
    logHandler: logHandlerFor(occurrence.logger),
    options: {
      trigger: { type: 'timerTrigger', name: 'myTimer', schedule: timer.schedule.expression },
      extraInputs: [...timer.extraInputs],
    },
  });
  provideDurableClient(context, timer.extraInputs, occurrence.client, occurrence.origin());
  const startedAt = (occurrence.now ?? Date.now)();
  const { due } = occurrence;
  const info: Timer = {
    isPastDue: startedAt - due.getTime() > PAST_DUE_MS,
    schedule: { adjustForDST: true },
    scheduleStatus: {
      last: (previousOccurrence(timer, due) ?? new Date(0)).toISOString(),
      next: (timer.schedule.next(due) ?? due).toISOString(),
      lastUpdated: new Date(startedAt).toISOString(),
    },
  };
  try {
    await timer.options.handler(info, context);
  } catch (error) {
    occurrence.logger.error(`Timer function '${timer.name}' failed:`, error instanceof Error ? (error.stack ?? error.message) : error);
    throw error;
  }
}

/** The schedule's occurrence before `due`: look back twice as far each time until one is found, then step to it. */
function previousOccurrence(timer: TimerFunction, due: Date): Date | undefined {
  for (let back = 1_000; back <= 400 * 24 * 3_600_000; back *= 2) {
    let cursor = timer.schedule.next(new Date(due.getTime() - back));
    if (cursor === undefined || cursor.getTime() >= due.getTime()) continue;
    let previous = cursor;
    while (cursor !== undefined && cursor.getTime() < due.getTime()) {
      previous = cursor;
      cursor = timer.schedule.next(cursor);
    }
    return previous;
  }
  return undefined;
}
