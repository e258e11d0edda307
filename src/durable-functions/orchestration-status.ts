/**
 * @module durable-functions/orchestration-status
 * `DurableOrchestrationStatus` of `durable-functions` v3, built from
 * Perdure's OrchestrationStatus.
 *
 * What must hold:
 * - `createdTime` and `lastUpdatedTime` are Dates; `input`, `output` and
 *   `customStatus` are null when absent, as in the JSON Durable Functions sends.
 * - A Failed instance's `output` is the failure message, as Durable
 *   Functions reports it.
 */
import type { OrchestrationStatus } from '../model/instance.ts';
import { RuntimeStatus } from '../model/runtime-status.ts';
import type { OrchestrationRuntimeStatus } from './runtime-status.ts';

export class DurableOrchestrationStatus {
  readonly name: string;
  readonly instanceId: string;
  readonly createdTime: Date;
  readonly lastUpdatedTime: Date;
  readonly input: unknown;
  readonly output: unknown;
  readonly runtimeStatus: OrchestrationRuntimeStatus;
  readonly customStatus?: unknown;
  readonly history?: Array<unknown>;

  constructor(status: OrchestrationStatus) {
    this.name = status.name;
    this.instanceId = status.instanceId;
    this.createdTime = new Date(status.createdTime);
    this.lastUpdatedTime = new Date(status.lastUpdatedTime);
    this.input = status.input ?? null;
    this.output = outputOf(status);
    this.runtimeStatus = status.runtimeStatus as string as OrchestrationRuntimeStatus;
    this.customStatus = status.customStatus ?? null;
    if (status.historyEvents) this.history = status.historyEvents;
  }
}

function outputOf(status: OrchestrationStatus): unknown {
  if (status.runtimeStatus === RuntimeStatus.Failed && status.output === undefined && status.failureDetails) {
    return `Orchestrator function '${status.name}' failed: ${status.failureDetails.message}`;
  }
  return status.output ?? null;
}

/** An instance in a list, shaped as DF's management API answers (see DurableClient.getStatusBy). */
export function listedStatus(status: OrchestrationStatus): DurableOrchestrationStatus {
  const typed = new DurableOrchestrationStatus(status);
  const json = { ...typed, createdTime: status.createdTime, lastUpdatedTime: status.lastUpdatedTime };
  return json as unknown as DurableOrchestrationStatus;
}
