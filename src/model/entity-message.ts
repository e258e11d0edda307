/**
 * @module entity-message
 * What travels between entities, orchestrations and clients. Requests reach
 * an entity as `EventRaised` events named `op` in its inbox (Durable
 * Functions' wire shape); a call's response reaches the caller as an
 * `EventRaised` named by the request's ID. An entity keeps its state and its
 * scheduler state (lock holder, queued requests) as its instance's input.
 *
 * What must hold: these shapes are stored (inboxes, history, entity
 * records), so fields are only ever added, optionally.
 */
import type { FailureDetails } from './failure.ts';

/** The event name of every request to an entity. */
export const ENTITY_REQUEST_EVENT = 'op';

interface FromSender {
  /** Unique per request; a call's response is raised under this name. */
  readonly id: string;
  /** The sending instance (an orchestration, an entity), or absent for a client. */
  readonly parent?: string;
  /** The sender's execution, so that a response never reaches a later execution. */
  readonly parentExecutionId?: string;
}

export interface EntityOperationRequest extends FromSender {
  readonly kind: 'call' | 'signal';
  readonly op: string;
  readonly input?: unknown;
  /** A signal for later (ISO time): its message becomes visible then. */
  readonly scheduledTime?: string;
  /**
   * W3C trace context of the caller's span (the calling orchestration's, or a
   * client's signal): the operation's span is its child. Absent when untraced.
   */
  readonly traceparent?: string;
  readonly tracestate?: string;
}

/** Lock the entities of `lockSet` (sorted) for `parent`; the request travels the set in order. */
export interface EntityLockRequest extends FromSender {
  readonly kind: 'lock';
  readonly parent: string;
  readonly lockSet: readonly string[];
  readonly position: number;
}

export interface EntityReleaseRequest extends FromSender {
  readonly kind: 'release';
  readonly parent: string;
  /**
   * Set on the release an execution sends when it ends holding locks: it
   * travels the lock set in order, as the lock request did, so it reaches
   * each entity after the lock request (even one still on its way).
   */
  readonly lockSet?: readonly string[];
  readonly position?: number;
}

export type EntityRequest = EntityOperationRequest | EntityLockRequest | EntityReleaseRequest;

export type EntityResponse = { readonly result?: unknown } | { readonly failure: FailureDetails };

/** An entity's stored record: its state and its scheduler state. */
export interface EntityRecord {
  readonly exists: boolean;
  readonly state?: unknown;
  /** The instance holding the lock, if locked. */
  readonly lockedBy?: string;
  /** Requests held back while the entity is locked by someone else, in arrival order. */
  readonly queue?: readonly EntityRequest[];
}

export function isEntityRequest(value: unknown): value is EntityRequest {
  if (typeof value !== 'object' || value === null) return false;
  const { kind, id } = value as { kind?: unknown; id?: unknown };
  return typeof id === 'string' && (kind === 'call' || kind === 'signal' || kind === 'lock' || kind === 'release');
}
