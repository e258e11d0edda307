/**
 * @module poison
 * What the workers record when they give up on work that keeps ending
 * without a result: a turn or an activity delivered more than `maxDeliveries`
 * times (each delivery is counted by the store before any code runs, so a
 * delivery that kills its process still counts), or a turn that keeps
 * overrunning its CPU budget.
 *
 * What must hold: the failure names the work (orchestration and instance, or
 * activity and task), the count and the reason, and carries `poisoned`, so
 * that no catch or retry policy in the orchestrator can run it again.
 */
import type { FailureDetails } from '../model/failure.ts';

export const POISONED_WORK = 'PoisonedWorkError';
export const TURN_BUDGET_EXCEEDED = 'TurnBudgetExceededError';

export interface PoisonedTurn {
  readonly instanceId: string;
  readonly name: string;
  /** Deliveries that ended without a result. */
  readonly deliveries: number;
  readonly maxDeliveries: number;
}

export function poisonedTurnFailure(turn: PoisonedTurn): FailureDetails {
  return {
    name: POISONED_WORK,
    message:
      `Orchestration '${turn.name}' (instance '${turn.instanceId}') was not run again: its turn was delivered ` +
      `${turn.deliveries} times and no delivery ended with a result (the process running it died, or its lease ` +
      `expired; maxDeliveries = ${turn.maxDeliveries}).`,
    poisoned: true,
  };
}

export interface PoisonedActivity {
  readonly instanceId: string;
  readonly name: string;
  readonly taskId: number;
  readonly deliveries: number;
  readonly maxDeliveries: number;
}

export function poisonedActivityFailure(activity: PoisonedActivity): FailureDetails {
  return {
    name: POISONED_WORK,
    message:
      `Activity '${activity.name}' (task #${activity.taskId} of instance '${activity.instanceId}') was not run again: ` +
      `it was delivered ${activity.deliveries} times and no delivery ended with a result (the process running it ` +
      `died, or its lease expired; maxDeliveries = ${activity.maxDeliveries}).`,
    poisoned: true,
  };
}

export interface OverrunTurn {
  readonly instanceId: string;
  readonly name: string;
  readonly budgetMs: number;
  readonly deliveries: number;
}

export function turnBudgetFailure(turn: OverrunTurn): FailureDetails {
  return {
    name: TURN_BUDGET_EXCEEDED,
    message:
      `Orchestration '${turn.name}' (instance '${turn.instanceId}') did not yield within its turn budget of ` +
      `${turn.budgetMs} ms and was stopped; after ${turn.deliveries} deliveries without a result it is not run again ` +
      `(an orchestrator must not compute for long between yields: move heavy work into an activity).`,
    poisoned: true,
  };
}

export interface OverrunOperation {
  readonly instanceId: string;
  readonly operation: string;
  readonly budgetMs: number;
}

/** An entity operation stopped by the turn budget: it fails alone, rolled back, and the entity carries on. */
export function operationBudgetFailure(run: OverrunOperation): FailureDetails {
  return {
    name: TURN_BUDGET_EXCEEDED,
    message:
      `Operation '${run.operation}' of entity '${run.instanceId}' did not return within its turn budget of ${run.budgetMs} ms ` +
      `and was stopped; its state change, signals and starts were rolled back (an entity operation must not compute for ` +
      `long: move heavy work into an activity).`,
  };
}
