/**
 * @module durable-functions/orchestrator
 * Runs a `durable-functions` v3 orchestrator on Perdure's engine: a Perdure
 * generator drives the DF generator step by step, so it can hand each
 * yielded value to the engine as a Perdure task and hand each failure back
 * as Durable Functions' TaskFailedError.
 *
 * What must hold:
 * - The DF generator sees exactly the sequence of results and errors the
 *   engine replays; this wrapper adds no decision of its own, so replay
 *   stays deterministic.
 * - `context.log` (and `info`, `warn`, ...) write only when not replaying.
 */
import type { OrchestratorHandler } from '../runtime/app.ts';
import type { OrchestrationContext as PerdureContext } from '../orchestration/context.ts';
import { InvocationContext } from '../azure-functions/invocation-context.ts';
import type { LogHandler } from '../azure-functions/types.ts';
import { format } from 'node:util';
import { toDurableError } from './errors.ts';
import { DurableOrchestrationContext } from './orchestration-context.ts';
import type { OrchestrationContext, OrchestrationHandler } from './orchestration-types.ts';

export function toPerdureOrchestrator(functionName: string, handler: OrchestrationHandler): OrchestratorHandler<unknown, unknown> {
  return function* (ctx) {
    const df = new DurableOrchestrationContext(ctx);
    const context = orchestrationContext(functionName, ctx, df);
    const produced: unknown = handler(context);
    if (!isIterator(produced)) return produced;
    let step = produced.next();
    while (!step.done) {
      let sent: unknown;
      let failure: { error: unknown } | undefined;
      try {
        sent = yield df.toPerdureTask(step.value);
      } catch (error) {
        failure = { error };
      }
      step = failure ? produced.throw(toDurableError(failure.error)) : produced.next(sent);
    }
    return step.value;
  };
}

function orchestrationContext(functionName: string, ctx: PerdureContext, df: DurableOrchestrationContext): OrchestrationContext {
  const context = new InvocationContext({
    invocationId: ctx.identity.executionId,
    functionName,
    logHandler: replaySafeLogHandler(ctx),
    options: { trigger: { type: 'orchestrationTrigger', name: 'context' }, extraInputs: [], extraOutputs: [] },
  });
  return Object.assign(context, { df });
}

function replaySafeLogHandler(ctx: PerdureContext): LogHandler {
  return (level, ...args) => {
    if (level === 'none') return;
    const message = format(...args);
    if (level === 'error' || level === 'critical') ctx.log.error(message);
    else if (level === 'warning') ctx.log.warn(message);
    else ctx.log.info(message);
  };
}

function isIterator(value: unknown): value is Generator<unknown, unknown, unknown> {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as Iterator<unknown>).next === 'function' &&
    typeof (value as Iterator<unknown>).throw === 'function'
  );
}
