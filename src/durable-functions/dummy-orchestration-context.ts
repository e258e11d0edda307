/**
 * @module durable-functions/dummy-orchestration-context
 * Durable Functions' test double for orchestration contexts. Its `df` needs
 * a running orchestration, which only Perdure's engine provides, so reading
 * it throws: test orchestrators with `perdure/testing` and a host instead.
 */
import { InvocationContext } from '../azure-functions/invocation-context.ts';
import type { LogHandler } from '../azure-functions/types.ts';
import { UnsupportedFeatureError } from '../azure-functions/unsupported.ts';
import type { DurableOrchestrationContext } from './orchestration-context.ts';
import type { OrchestrationContext } from './orchestration-types.ts';

export class DummyOrchestrationContext extends InvocationContext implements OrchestrationContext {
  constructor(functionName?: string, invocationId?: string, logHandler?: LogHandler) {
    super({ ...(functionName ? { functionName } : {}), ...(invocationId ? { invocationId } : {}), ...(logHandler ? { logHandler } : {}) });
  }
  get df(): DurableOrchestrationContext {
    throw new UnsupportedFeatureError(
      'DummyOrchestrationContext',
      'run orchestrators on a Perdure host (perdure/testing has a manual clock and an in-memory store).',
    );
  }
}
