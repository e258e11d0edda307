/**
 * @module durable-functions/durable-client
 * `DurableClient` of `durable-functions` v3, over Perdure's in-process
 * client: no HTTP round trip, the same return values and errors as DF JS.
 *
 * What must hold:
 * - `startNew` resolves to the instance ID. A start for an ID whose instance
 *   is live rejects with Perdure's InstanceAlreadyExistsError (HTTP 409 when
 *   a handler lets it through): Perdure never replaces a live instance, so
 *   a singleton starter cannot create two, however many requests race.
 * - `getStatus` of an unknown ID rejects with DF's 404 message; `raiseEvent`,
 *   `terminate`, `suspend` and `resume` on a finished instance resolve (DF's
 *   410 case) and on an unknown one reject with `No instance with ID '…' found.`
 * - `waitForCompletionOrCreateCheckStatusResponse` answers 200 with the
 *   output (Completed), 200 with the status (Terminated), 500 with the status
 *   (Failed), or the 202 check-status response when time runs out.
 */
import type { DurableClient as PerdureClient } from '../client/client.ts';
import type { HttpManagementPayload as PerdurePayload } from '../client/http-management.ts';
import { InstanceNotFoundError, InvalidInstanceStateError, WaitForCompletionTimeoutError } from '../model/errors.ts';
import type { OrchestrationStatus } from '../model/instance.ts';
import { RuntimeStatus } from '../model/runtime-status.ts';
import { TASK_HUB_NAME, type InProcessClient } from '../azure-functions/client-binding.ts';
import type { HttpRequest } from '../azure-functions/http-request.ts';
import { HttpResponse } from '../azure-functions/http-response.ts';
import { UnsupportedFeatureError } from '../azure-functions/unsupported.ts';
import { EntityStateResponse, type EntityId } from './entity.ts';
import { DurableOrchestrationStatus, listedStatus } from './orchestration-status.ts';
import { OrchestrationRuntimeStatus } from './runtime-status.ts';

export interface StartNewOptions {
  instanceId?: string;
  input?: unknown;
  /** Not supported: Perdure runs one version of each orchestration. */
  version?: string;
}

export interface GetStatusOptions {
  showHistory?: boolean;
  showHistoryOutput?: boolean;
  showInput?: boolean;
}

export interface TaskHubOptions {
  taskHubName?: string;
  connectionName?: string;
}

export interface OrchestrationFilter {
  createdTimeFrom?: Date;
  createdTimeTo?: Date;
  runtimeStatus?: OrchestrationRuntimeStatus[];
}

export interface WaitForCompletionOptions {
  timeoutInMilliseconds?: number;
  retryIntervalInMilliseconds?: number;
}

export class PurgeHistoryResult {
  constructor(readonly instancesDeleted: number) {}
}

export type HttpManagementPayload = PerdurePayload;

const CHECK_STATUS_RETRY_AFTER_SECONDS = '10';

export class DurableClient {
  readonly taskHubName = TASK_HUB_NAME;
  readonly uniqueWebhookOrigins: string[];
  readonly #client: PerdureClient;
  readonly #origin: string;

  /** @internal Made by getClient(context) from the durable client input Perdure filled. */
  constructor(binding: InProcessClient) {
    this.#client = binding.client;
    this.#origin = binding.origin;
    this.uniqueWebhookOrigins = [binding.origin];
  }

  async startNew(orchestratorFunctionName: string, options?: StartNewOptions): Promise<string> {
    if (!orchestratorFunctionName) throw new Error('orchestratorFunctionName must be a valid string.');
    if (options?.version !== undefined) throw versioningUnsupported();
    const instanceId = options?.instanceId ? { instanceId: options.instanceId } : {};
    const started = await this.#client.startNew(orchestratorFunctionName, { ...instanceId, input: options?.input });
    return started.instanceId;
  }

  async getStatus(instanceId: string, options: GetStatusOptions = {}): Promise<DurableOrchestrationStatus> {
    const status = await this.#client.getStatus(instanceId, {
      showInput: options.showInput ?? true,
      showHistory: Boolean(options.showHistory),
      showHistoryOutput: Boolean(options.showHistoryOutput),
    });
    if (!status) throw notFoundForStatus(instanceId);
    return new DurableOrchestrationStatus(status);
  }

  async getStatusAll(): Promise<DurableOrchestrationStatus[]> {
    return this.getStatusBy({});
  }

  /**
   * Each instance as durable-functions v3 resolves it: the management API's JSON as it arrives, with
   * `createdTime` and `lastUpdatedTime` as ISO strings, although DF's declared type says `Date`. Apps
   * written against DF therefore treat them as strings (or pass them to `new Date`), and both work here.
   */
  async getStatusBy(filter: OrchestrationFilter): Promise<DurableOrchestrationStatus[]> {
    const statuses = perdureStatuses(filter?.runtimeStatus);
    if (statuses?.length === 0) return [];
    const results: DurableOrchestrationStatus[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await this.#client.listInstances({
        pageSize: 1000,
        showInput: true,
        ...(filter?.createdTimeFrom ? { createdTimeFrom: filter.createdTimeFrom } : {}),
        ...(filter?.createdTimeTo ? { createdTimeTo: filter.createdTimeTo } : {}),
        ...(statuses ? { runtimeStatus: statuses } : {}),
        ...(continuationToken ? { continuationToken } : {}),
      });
      results.push(...page.instances.map(listedStatus));
      continuationToken = page.continuationToken;
    } while (continuationToken);
    return results;
  }

  async purgeInstanceHistory(instanceId: string): Promise<PurgeHistoryResult> {
    try {
      return new PurgeHistoryResult((await this.#client.purgeInstanceHistory(instanceId)).instancesDeleted);
    } catch (error) {
      if (error instanceof InstanceNotFoundError) return new PurgeHistoryResult(0);
      throw error;
    }
  }

  async purgeInstanceHistoryBy(filter: OrchestrationFilter): Promise<PurgeHistoryResult> {
    if (!(filter?.createdTimeFrom instanceof Date)) throw new Error('createdTimeFrom must be a valid Date');
    const statuses = perdureStatuses(filter.runtimeStatus);
    if (statuses?.length === 0) return new PurgeHistoryResult(0);
    const purged = await this.#client.purgeInstances({
      createdTimeFrom: filter.createdTimeFrom,
      ...(filter.createdTimeTo ? { createdTimeTo: filter.createdTimeTo } : {}),
      ...(statuses ? { runtimeStatus: statuses } : {}),
    });
    return new PurgeHistoryResult(purged.instancesDeleted);
  }

  async raiseEvent(instanceId: string, eventName: string, eventData: unknown, options?: TaskHubOptions): Promise<void> {
    if (!eventName) throw new Error('eventName must be a valid string.');
    oneTaskHub(options);
    return this.#control(instanceId, () => this.#client.raiseEvent(instanceId, eventName, eventData));
  }

  async terminate(instanceId: string, reason: string): Promise<void> {
    return this.#control(instanceId, () => this.#client.terminate(instanceId, reason));
  }
  async suspend(instanceId: string, reason: string): Promise<void> {
    return this.#control(instanceId, () => this.#client.suspend(instanceId, reason));
  }
  async resume(instanceId: string, reason: string): Promise<void> {
    return this.#control(instanceId, () => this.#client.resume(instanceId, reason));
  }

  async rewind(instanceId: string, reason: string, options?: TaskHubOptions): Promise<void> {
    oneTaskHub(options);
    try {
      await this.#client.rewind(instanceId, reason);
    } catch (error) {
      if (error instanceof InstanceNotFoundError) throw noInstance(instanceId);
      if (error instanceof InvalidInstanceStateError) {
        throw new Error('The rewind operation is only supported on failed orchestration instances.', { cause: error });
      }
      throw error;
    }
  }

  /** Not in DF JS (its .NET client has it): starts the instance's orchestration again with its input. Resolves to the new instance's ID. */
  async restart(instanceId: string, restartWithNewInstanceId = true): Promise<string> {
    try {
      return (await this.#client.restart(instanceId, { newInstanceId: restartWithNewInstanceId })).instanceId;
    } catch (error) {
      if (error instanceof InstanceNotFoundError) throw noInstance(instanceId);
      throw error;
    }
  }

  async readEntityState<T>(entityId: EntityId, options?: TaskHubOptions): Promise<EntityStateResponse<T>> {
    oneTaskHub(options);
    const response = await this.#client.readEntityState<T>({ name: entityId?.name, key: entityId?.key });
    return new EntityStateResponse<T>(response.exists, response.state);
  }
  async signalEntity(entityId: EntityId, operationName?: string, operationContent?: unknown, options?: TaskHubOptions): Promise<void> {
    oneTaskHub(options);
    await this.#client.signalEntity({ name: entityId?.name, key: entityId?.key }, operationName ?? '', operationContent);
  }

  createHttpManagementPayload(instanceId: string): HttpManagementPayload {
    return this.#client.createHttpManagementPayload(instanceId, this.#origin);
  }

  createCheckStatusResponse(request: HttpRequest | undefined, instanceId: string): HttpResponse {
    const origin = request?.url ? new URL(request.url).origin : this.#origin;
    const payload = this.#client.createHttpManagementPayload(instanceId, origin);
    return new HttpResponse({
      status: 202,
      jsonBody: payload,
      headers: { 'Content-Type': 'application/json', Location: payload.statusQueryGetUri, 'Retry-After': CHECK_STATUS_RETRY_AFTER_SECONDS },
    });
  }

  async waitForCompletionOrCreateCheckStatusResponse(
    request: HttpRequest,
    instanceId: string,
    waitOptions: WaitForCompletionOptions = {},
  ): Promise<HttpResponse> {
    const timeoutMs = waitOptions.timeoutInMilliseconds ?? 10_000;
    const retryMs = waitOptions.retryIntervalInMilliseconds ?? 1_000;
    if (retryMs > timeoutMs) throw new Error(`Total timeout ${timeoutMs} (ms) should be bigger than retry timeout ${retryMs} (ms)`);
    let status: OrchestrationStatus;
    try {
      status = await this.#client.waitForCompletion(instanceId, { timeoutMs, pollIntervalMs: retryMs });
    } catch (error) {
      if (error instanceof WaitForCompletionTimeoutError) return this.createCheckStatusResponse(request, instanceId);
      if (error instanceof InstanceNotFoundError) throw notFoundForStatus(instanceId);
      throw error;
    }
    const json = (code: number, body: unknown) =>
      new HttpResponse({ status: code, jsonBody: body, headers: { 'Content-Type': 'application/json' } });
    if (status.runtimeStatus === RuntimeStatus.Completed) return json(200, status.output ?? null);
    const dfStatus = new DurableOrchestrationStatus(status);
    return json(status.runtimeStatus === RuntimeStatus.Failed ? 500 : 200, dfStatus);
  }

  /** DF's control calls: a finished instance is not an error (the extension's 410), an unknown one is. */
  async #control(instanceId: string, call: () => Promise<void>): Promise<void> {
    try {
      await call();
    } catch (error) {
      if (error instanceof InvalidInstanceStateError) return;
      if (error instanceof InstanceNotFoundError) throw noInstance(instanceId);
      throw error;
    }
  }
}

/** DF's Canceled matches nothing (no instance is ever Canceled); the rest are Perdure's statuses. */
function perdureStatuses(statuses: OrchestrationRuntimeStatus[] | undefined): RuntimeStatus[] | undefined {
  if (statuses === undefined || statuses.length === 0) return undefined;
  return statuses.filter((s) => s !== OrchestrationRuntimeStatus.Canceled).map((s) => s as string as RuntimeStatus);
}

/** Perdure's store is one task hub: naming another one is refused rather than silently ignored. */
function oneTaskHub(options: TaskHubOptions | undefined): void {
  const hub = options?.taskHubName;
  if (hub !== undefined && hub !== TASK_HUB_NAME) {
    throw new UnsupportedFeatureError(
      'Other task hubs',
      `taskHubName '${hub}' was given; a Perdure store is one task hub ('${TASK_HUB_NAME}').`,
    );
  }
  if (options?.connectionName !== undefined) {
    throw new UnsupportedFeatureError(
      'Other connections',
      `connectionName '${options.connectionName}' was given; Perdure uses the store it was started with.`,
    );
  }
}

function noInstance(instanceId: string): Error {
  return new Error(`No instance with ID '${instanceId}' found.`);
}

function notFoundForStatus(instanceId: string): Error {
  return new Error(
    'DurableClient error: Durable Functions extension replied with HTTP 404 response. ' +
      `This usually means we could not find any data associated with the instanceId provided: ${instanceId}.`,
  );
}

function versioningUnsupported(): Error {
  return new UnsupportedFeatureError(
    'Orchestration versioning',
    'startNew was given a version; Perdure runs one version of each orchestration.',
  );
}
