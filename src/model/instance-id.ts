/**
 * @module instance-id
 * Instance IDs are caller-chosen keys (the singleton guarantee hangs on
 * them), so they are checked at every entry point before anything is stored.
 */
import { ValidationError } from './errors.ts';

export const MAX_INSTANCE_ID_LENGTH = 256;
// Control characters are exactly what this pattern is for: they are not allowed in an instance ID.
// eslint-disable-next-line no-control-regex -- see above
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f/\\#?]/;
// eslint-disable-next-line no-control-regex -- control characters are what this pattern finds
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export function validateInstanceId(value: unknown, field = 'instanceId'): string {
  if (typeof value !== 'string') throw new ValidationError(field, 'must be a string');
  if (value.length === 0) throw new ValidationError(field, 'must not be empty');
  if (value.length > MAX_INSTANCE_ID_LENGTH) {
    throw new ValidationError(field, `must be at most ${MAX_INSTANCE_ID_LENGTH} characters (got ${value.length})`);
  }
  const bad = FORBIDDEN.exec(value);
  if (bad) {
    const shown = JSON.stringify(bad[0]);
    throw new ValidationError(field, `must not contain control characters or any of / \\ # ? (found ${shown})`);
  }
  if (value.startsWith('@')) throw new ValidationError(field, "must not start with '@' (reserved)");
  return value;
}

export function validateFunctionName(value: unknown, field = 'name'): string {
  if (typeof value !== 'string' || value.length === 0) throw new ValidationError(field, 'must be a non-empty string');
  if (value.length > 256) throw new ValidationError(field, 'must be at most 256 characters');
  assertNoControlCharacters(value, field);
  return value;
}

/**
 * Identifiers and filters never hold control characters: PostgreSQL text
 * cannot store NUL at all, and the others only ever arrive by mistake or
 * malice. One rule here keeps both stores answering the same 400.
 */
export function assertNoControlCharacters(value: string, field: string): void {
  const bad = CONTROL.exec(value);
  if (bad) throw new ValidationError(field, `must not contain control characters (found ${JSON.stringify(bad[0])})`);
}

/** Free text (a reason) may hold line breaks and tabs, never NUL, which PostgreSQL text cannot store. */
export function assertNoNul(value: string, field: string): void {
  if (value.includes('\u0000')) throw new ValidationError(field, 'must not contain NUL characters');
}
