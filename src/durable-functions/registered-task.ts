/**
 * @module durable-functions/registered-task
 * What `df.app.activity(...)` and `df.app.orchestration(...)` return: a
 * function that makes a task for that function, to be yielded by an
 * orchestrator without naming the function again. The task is bound to the
 * orchestration that yields it, at the moment it yields it, as in Durable
 * Functions.
 */
import type { RetryOptions } from './retry-options.ts';
import type { Task } from './task-types.ts';

export class RegisteredTask implements Task {
  readonly isCompleted = false;
  readonly isFaulted = false;
  readonly result: unknown = undefined;

  constructor(
    readonly kind: 'activity' | 'orchestration',
    readonly functionName: string,
    readonly input: unknown,
    readonly instanceId?: string,
    readonly retryOptions?: RetryOptions,
  ) {}

  readonly withRetry = (retryOptions: RetryOptions): Task =>
    new RegisteredTask(this.kind, this.functionName, this.input, this.instanceId, retryOptions);
}
