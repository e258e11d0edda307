/**
 * @module durable-functions/app
 * `df.app.*`: orchestrations and activities become Perdure's own, registered
 * on the default function app that `perdure start` serves.
 *
 * What must hold:
 * - `orchestration` and `activity` return the registered-function helpers
 *   Durable Functions returns.
 * - An entity becomes a Perdure entity (entity-adapter.ts): its operations
 *   run one at a time with `context.df` mapped onto Perdure's entity context.
 */
import { randomUUID } from 'node:crypto';
import { checkBindings } from '../azure-functions/bindings-check.ts';
import { isDurableClientInputType } from '../azure-functions/client-binding.ts';
import { InvocationContext, logHandlerFor } from '../azure-functions/invocation-context.ts';
import { UnsupportedFeatureError } from '../azure-functions/unsupported.ts';
import { ValidationError } from '../model/errors.ts';
import { app as functionApp } from '../runtime/app.ts';
import type { ActivityOptions, RegisteredActivity } from './activity-types.ts';
import type { EntityHandler, EntityOptions } from './entity.ts';
import { toPerdureEntity } from './entity-adapter.ts';
import type { OrchestrationHandler, OrchestrationOptions, RegisteredOrchestration } from './orchestration-types.ts';
import { toPerdureOrchestrator } from './orchestrator.ts';
import { RegisteredTask } from './registered-task.ts';
import * as trigger from './trigger.ts';

export * as client from './app-client.ts';

export function orchestration(
  functionName: string,
  handlerOrOptions: OrchestrationHandler | OrchestrationOptions,
): RegisteredOrchestration {
  const handler = typeof handlerOrOptions === 'function' ? handlerOrOptions : handlerOrOptions?.handler;
  if (typeof handler !== 'function')
    throw new ValidationError(`orchestration '${functionName}'`, 'the handler must be a generator function');
  functionApp.orchestration(functionName, toPerdureOrchestrator(functionName, handler));
  return (input?: unknown, instanceId?: string) => new RegisteredTask('orchestration', functionName, input, instanceId);
}

export function activity(functionName: string, options: ActivityOptions): RegisteredActivity {
  const handler = options?.handler;
  if (typeof handler !== 'function') throw new ValidationError(`activity '${functionName}'`, 'the handler must be a function');
  checkBindings(functionName, options.extraInputs, options.extraOutputs, []);
  if (options.extraInputs?.some((input) => isDurableClientInputType(input.type))) {
    throw new UnsupportedFeatureError(
      'A durable client input in an activity',
      `activity '${functionName}' declares one; start orchestrations from the orchestrator or an HTTP function instead.`,
    );
  }
  const effective = {
    trigger: options.trigger ?? trigger.activity(),
    extraInputs: options.extraInputs ?? [],
    extraOutputs: options.extraOutputs ?? [],
  };
  functionApp.activity(functionName, async (input: unknown, activityContext) => {
    const context = new InvocationContext({
      invocationId: randomUUID(),
      functionName,
      logHandler: logHandlerFor(activityContext.log),
      options: effective,
      triggerMetadata: { instanceId: activityContext.instanceId },
    });
    // Activity results are JSON: an `undefined` result is stored as no output.
    const result: unknown = await handler(input, context);
    return result;
  });
  return (input?: unknown) => new RegisteredTask('activity', functionName, input);
}

/** Registers a DF entity function as a Perdure entity (names are case-insensitive, as DF's entity IDs). */
export function entity<T = unknown>(functionName: string, handlerOrOptions: EntityHandler<T> | EntityOptions<T>): void {
  const handler = typeof handlerOrOptions === 'function' ? handlerOrOptions : handlerOrOptions?.handler;
  if (typeof handler !== 'function') throw new ValidationError(`entity '${functionName}'`, 'the handler must be a function');
  functionApp.entity(functionName, toPerdureEntity(functionName, handler));
}

export interface ExceptionPropertiesProvider {
  getExceptionProperties(error: unknown): Record<string, unknown> | undefined;
}

/** Exception properties need failure details Perdure does not record; only clearing the provider is accepted. */
export function setExceptionPropertiesProvider(provider: ExceptionPropertiesProvider | undefined): void {
  if (provider === undefined) return;
  throw new UnsupportedFeatureError(
    'setExceptionPropertiesProvider',
    "Perdure records the failed error's name, message and stack, not custom properties.",
  );
}
