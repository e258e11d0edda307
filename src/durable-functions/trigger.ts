/**
 * @module durable-functions/trigger
 * `df.trigger.*`: the trigger objects of durable functions.
 */
import { generic } from '../azure-functions/trigger.ts';
import type { ActivityTrigger } from './activity-types.ts';
import type { EntityTrigger } from './entity.ts';
import type { OrchestrationTrigger } from './orchestration-types.ts';

export function activity(): ActivityTrigger {
  return generic({ type: 'activityTrigger' }) as ActivityTrigger;
}

export function orchestration(): OrchestrationTrigger {
  return generic({ type: 'orchestrationTrigger' }) as OrchestrationTrigger;
}

export function entity(): EntityTrigger {
  return generic({ type: 'entityTrigger' }) as EntityTrigger;
}
