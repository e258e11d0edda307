/**
 * @module durable-functions/runtime-status
 * `OrchestrationRuntimeStatus` of `durable-functions` v3. The values are the
 * strings Perdure's statuses already use; `Canceled` exists in Durable
 * Functions' enum but no instance ever has it, there or here.
 */
export enum OrchestrationRuntimeStatus {
  Running = 'Running',
  Completed = 'Completed',
  ContinuedAsNew = 'ContinuedAsNew',
  Failed = 'Failed',
  Canceled = 'Canceled',
  Terminated = 'Terminated',
  Pending = 'Pending',
  Suspended = 'Suspended',
}
