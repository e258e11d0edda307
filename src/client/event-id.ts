/**
 * @module client/event-id
 * The event ID that makes a raise idempotent (raiseEvent's `eventId`, HTTP
 * `Idempotency-Key`), and the fingerprint that tells a retry from a
 * different event sent under the same ID.
 *
 * What must hold: the same name and data always give the same fingerprint,
 * in every process and version, since fingerprints are stored.
 */
import { createHash } from 'node:crypto';
import { ValidationError } from '../model/errors.ts';

const MAX_EVENT_ID_LENGTH = 256;

// Control characters are exactly what this pattern is for: they are not allowed in an event ID.
// eslint-disable-next-line no-control-regex -- see above
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** Also checks a start's `requestId` (the same rule, named by `field`). */
export function validateEventId(eventId: unknown, field = 'eventId'): string {
  if (typeof eventId !== 'string' || eventId.length === 0 || eventId.length > MAX_EVENT_ID_LENGTH || CONTROL_CHARACTERS.test(eventId)) {
    throw new ValidationError(field, `must be 1-${MAX_EVENT_ID_LENGTH} characters without control characters`);
  }
  return eventId;
}

/** Tells a retry (same name and data) from a different event under the same ID. */
export function eventFingerprint(name: string, input: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify([name, input ?? null]))
    .digest('base64url');
}
