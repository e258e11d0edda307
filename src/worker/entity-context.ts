/**
 * @module entity-context
 * The context one entity operation runs with. It holds the entity's working
 * state and collects the operation's effects (signals, starts, result); the
 * batch keeps them only if the operation returns, and restores the state
 * from its snapshot if it throws.
 *
 * What must hold: nothing here does I/O; effects become messages and starts
 * in the batch's one commit.
 */
import { randomUUID } from 'node:crypto';
import { entityInstanceId, validateEntityId, type EntityId } from '../model/entity-id.ts';
import { ENTITY_REQUEST_EVENT, type EntityOperationRequest } from '../model/entity-message.ts';
import { ValidationError } from '../model/errors.ts';
import { validateFunctionName, validateInstanceId } from '../model/instance-id.ts';
import { normalizePayload } from '../model/json.ts';
import { TERMINAL_STATUSES } from '../model/runtime-status.ts';
import { isoTimestamp } from '../model/timestamp.ts';
import type { OrchestrationRef } from '../orchestration/context.ts';
import type { EntityContext, EntitySignalOptions, EntityStartOptions } from '../runtime/entity.ts';
import type { Logger } from '../runtime/logger.ts';
import type { ChildStart, OutboundMessage } from '../store/store.ts';

/** The entity's state as operations change it. */
export interface WorkingState {
  exists: boolean;
  state: unknown;
}

export interface OperationEffects {
  readonly messages: OutboundMessage[];
  readonly starts: ChildStart[];
}

export class OperationContext implements EntityContext {
  readonly effects: OperationEffects = { messages: [], starts: [] };
  #returned: { value: unknown } | undefined;

  constructor(
    readonly entityId: EntityId,
    readonly operationName: string,
    private readonly input: unknown,
    private readonly working: WorkingState,
    readonly log: Logger,
    private readonly now: number,
  ) {}

  get name(): string {
    return this.entityId.name;
  }
  get key(): string {
    return this.entityId.key;
  }
  get returned(): { value: unknown } | undefined {
    return this.#returned;
  }

  getInput<T = unknown>(): T {
    return this.input as T;
  }

  getState<T = unknown>(initializer?: () => T): T | undefined {
    if (!this.working.exists) {
      if (initializer === undefined) return undefined;
      this.working.state = initializer();
      this.working.exists = true;
    }
    return this.working.state as T;
  }

  setState(value: unknown): void {
    this.working.state = value;
    this.working.exists = true;
  }

  deleteState(): void {
    this.working.state = undefined;
    this.working.exists = false;
  }

  return(value: unknown): void {
    this.#returned = { value };
  }

  signalEntity(id: EntityId, operationName: string, input?: unknown, options: EntitySignalOptions = {}): void {
    const target = validateEntityId(id);
    const request: EntityOperationRequest = {
      kind: 'signal',
      id: randomUUID(),
      op: validateFunctionName(operationName, 'operationName'),
      parent: entityInstanceId(this.entityId),
      ...withInput(normalizePayload(input, `input of operation '${operationName}'`)),
    };
    this.effects.messages.push(entityRequestMessage(target, request, this.now, options.at));
  }

  startNew<I>(orchestration: OrchestrationRef<I, unknown>, options: EntityStartOptions<I> = {}): string {
    const name = validateFunctionName(typeof orchestration === 'string' ? orchestration : orchestration?.name, 'orchestration name');
    const instanceId = options.instanceId === undefined ? randomUUID() : validateInstanceId(options.instanceId);
    const input = normalizePayload(options.input, `input of orchestration '${name}'`);
    this.effects.starts.push({
      request: {
        instanceId,
        name,
        executionId: randomUUID(),
        ...withInput(input),
        // An entity's start is fire and forget: an ID taken by a live instance leaves that instance be.
        onConflict: 'useExisting',
        reuseStatuses: TERMINAL_STATUSES,
        now: this.now,
      },
    });
    return instanceId;
  }
}

/** The message that carries a request to an entity, creating the entity if it does not exist. */
export function entityRequestMessage(target: EntityId, request: unknown, now: number, at?: Date): OutboundMessage {
  if (at !== undefined && (!(at instanceof Date) || Number.isNaN(at.getTime()))) throw new ValidationError('at', 'must be a valid Date');
  const visibleAt = at === undefined ? now : Math.max(now, at.getTime());
  return {
    instanceId: entityInstanceId(target),
    createIfMissing: { name: target.name, executionId: randomUUID() },
    event: { type: 'EventRaised', timestamp: isoTimestamp(now), name: ENTITY_REQUEST_EVENT, input: request },
    visibleAt,
  };
}

function withInput(input: unknown): { input?: unknown } {
  return input === undefined ? {} : { input };
}
