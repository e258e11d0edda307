/**
 * @module durable-functions/task-types
 * The task shapes `durable-functions` v3 declares. At run time the tasks
 * are Perdure's own (orchestration/task.ts), which have these members.
 */
import type { RetryOptions } from './retry-options.ts';

export interface Task {
  isCompleted: boolean;
  isFaulted: boolean;
  result?: unknown;
}

export interface TimerTask extends Task {
  isCanceled: boolean;
  cancel: () => void;
}

export interface RegisteredActivityTask extends Task {
  withRetry: (retryOptions: RetryOptions) => Task;
}

export interface RegisteredOrchestrationTask extends Task {
  withRetry: (retryOptions: RetryOptions) => Task;
}
