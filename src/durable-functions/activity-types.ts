/**
 * @module durable-functions/activity-types
 * The activity vocabulary of `durable-functions` v3.
 */
import type { FunctionHandler, FunctionInput, FunctionOptions, FunctionOutput, FunctionTrigger } from '../azure-functions/types.ts';
import type { RegisteredActivityTask } from './task-types.ts';

export type ActivityHandler = FunctionHandler;

export interface ActivityOptions extends Partial<FunctionOptions> {
  handler: ActivityHandler;
  extraInputs?: FunctionInput[];
  extraOutputs?: FunctionOutput[];
}

export interface ActivityTrigger extends FunctionTrigger {
  type: 'activityTrigger';
}

export type RegisteredActivity = (input?: unknown) => RegisteredActivityTask;
