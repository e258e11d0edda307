/**
 * @module entity-id
 * Entity IDs: `{ name, key }`, written `@name@key` as Durable Functions
 * writes them, with the name lower-cased. An entity is an instance with that
 * ID, so the store, listings and the management API treat entities as
 * instances; an instance ID that starts with '@' is an entity's and nothing else.
 *
 * What must hold: every string form is a valid instance ID (no control
 * characters, none of / \ # ?), and parsing inverts formatting, for the
 * empty key too (`@name@`).
 */
import { ValidationError } from './errors.ts';
import { MAX_INSTANCE_ID_LENGTH } from './instance-id.ts';

export interface EntityId {
  readonly name: string;
  readonly key: string;
}

// eslint-disable-next-line no-control-regex -- control characters are what this pattern finds
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f/\\#?]/;

/**
 * Checks an entity ID and returns it with its name lower-cased.
 *
 * @example
 * validateEntityId({ name: 'Counter', key: 'a' }); // { name: 'counter', key: 'a' }
 */
export function validateEntityId(value: unknown, field = 'entityId'): EntityId {
  if (typeof value !== 'object' || value === null) throw new ValidationError(field, 'must be an object { name, key }');
  const { name, key } = value as { name?: unknown; key?: unknown };
  return { name: validateEntityName(name, `${field}.name`), key: validateEntityKey(key, `${field}.key`) };
}

export function validateEntityName(value: unknown, field = 'entity name'): string {
  if (typeof value !== 'string' || value.length === 0) throw new ValidationError(field, 'must be a non-empty string');
  if (value.includes('@')) throw new ValidationError(field, "must not contain '@'");
  checkCharacters(value, field);
  if (value.length > 128) throw new ValidationError(field, 'must be at most 128 characters');
  return value.toLowerCase();
}

/**
 * Checks a key. The empty key is a key (`@name@`), as in Durable Functions'
 * extension and backends (DurableTask.Core's EntityId refuses only a null
 * key); the Durable Functions JavaScript SDK's `df.EntityId` refuses it, and
 * so does `perdure/durable-functions`.
 */
export function validateEntityKey(value: unknown, field = 'entity key'): string {
  if (typeof value !== 'string') throw new ValidationError(field, 'must be a string');
  checkCharacters(value, field);
  if (value.length > MAX_INSTANCE_ID_LENGTH - 130)
    throw new ValidationError(field, `must be at most ${MAX_INSTANCE_ID_LENGTH - 130} characters`);
  return value;
}

function checkCharacters(value: string, field: string): void {
  const bad = FORBIDDEN.exec(value);
  if (bad) throw new ValidationError(field, `must not contain control characters or any of / \\ # ? (found ${JSON.stringify(bad[0])})`);
}

/** `@name@key`, the instance ID of the entity. */
export function entityInstanceId(id: EntityId): string {
  return `@${id.name.toLowerCase()}@${id.key}`;
}

/** Whether an instance ID is an entity's. */
export function isEntityInstanceId(instanceId: string): boolean {
  return instanceId.startsWith('@') && instanceId.indexOf('@', 1) > 1;
}

/** The entity ID of an instance ID, or undefined if it is not an entity's. */
export function parseEntityInstanceId(instanceId: string): EntityId | undefined {
  if (!instanceId.startsWith('@')) return undefined;
  const at = instanceId.indexOf('@', 1);
  if (at <= 1) return undefined;
  return { name: instanceId.slice(1, at), key: instanceId.slice(at + 1) };
}

/**
 * An entity ID that carries its entity's operations as a type, so that calls
 * and signals check operation names, inputs and results. Made by the handle
 * `app.entity()` returns: `counter.id('a')`.
 */
export interface TypedEntityId<Ops> extends EntityId {
  readonly __ops?: Ops;
}

// Operation maps hold functions of any signature; only their parameter and return types are read.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
type AnyOperation = (input: any, ...rest: any[]) => unknown;

export type OperationName<Ops> = Extract<keyof Ops, string>;
export type OperationInput<Ops, K extends keyof Ops> = Ops[K] extends AnyOperation ? Parameters<Ops[K]>[0] : unknown;
export type OperationResult<Ops, K extends keyof Ops> = Ops[K] extends AnyOperation ? Awaited<ReturnType<Ops[K]>> : unknown;
