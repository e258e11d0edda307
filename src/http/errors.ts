/**
 * @module http/errors
 * Turns a thrown error into the HTTP answer. Typed Perdure errors become
 * their Durable Functions status codes; anything else is a 500.
 *
 * What must hold:
 * - Every error answer is JSON with a `message`.
 * - A stack trace never reaches the client: unexpected errors are logged
 *   with their stack and answered with a fixed message.
 */
import {
  EventIdConflictError,
  FunctionNotFoundError,
  InstanceAlreadyExistsError,
  InstanceNotFoundError,
  InvalidInstanceStateError,
  PayloadTooLargeError,
  ScheduleAlreadyExistsError,
  ScheduleNotFoundError,
  StoreUnavailableError,
  ValidationError,
} from '../model/errors.ts';
import type { Logger } from '../runtime/logger.ts';
import { UnreadBodyError, UnsupportedMediaTypeError } from './body.ts';

/** The 409 body: Durable Functions' message plus the existing instance's status, so a caller can find it. */
export function conflictBody(error: InstanceAlreadyExistsError): Record<string, unknown> {
  const { instanceId, runtimeStatus, name, createdTime, purgedTime } = error.existing;
  const reason = error.reason === 'exists' ? {} : { reason: error.reason };
  const purged = purgedTime === undefined ? {} : { purgedTime };
  return { message: error.message, instanceId, runtimeStatus, name, createdTime, ...reason, ...purged };
}

export function errorResponse(error: unknown, logger: Logger): Response {
  if (error instanceof PayloadTooLargeError) {
    // An unread body leaves the connection unusable: say so, so no client reuses it (RFC 9110 §15.5.14).
    const headers: Record<string, string> = error instanceof UnreadBodyError ? { connection: 'close' } : {};
    return json(413, { message: error.message, field: error.field, limitBytes: error.limitBytes }, headers);
  }
  if (error instanceof UnsupportedMediaTypeError) return json(415, { message: error.message, field: error.field });
  if (error instanceof ValidationError) return json(400, { message: error.message, field: error.field });
  if (error instanceof InstanceNotFoundError || error instanceof FunctionNotFoundError) return json(404, { message: error.message });
  if (error instanceof InvalidInstanceStateError) {
    return json(410, { message: error.message, instanceId: error.instanceId, runtimeStatus: error.runtimeStatus });
  }
  if (error instanceof InstanceAlreadyExistsError) return json(409, conflictBody(error));
  if (error instanceof ScheduleNotFoundError) return json(404, { message: error.message });
  if (error instanceof ScheduleAlreadyExistsError) return json(409, { message: error.message, name: error.scheduleName });
  if (error instanceof EventIdConflictError) return json(422, { message: error.message, instanceId: error.instanceId });
  if (error instanceof StoreUnavailableError) return storeUnavailable(error, logger);
  // The Error itself, not its stack as text: a structured logger keeps it as `err` (name, message, stack).
  logger.error('Unhandled error while serving an HTTP request:', error);
  return json(500, { message: 'Internal server error' });
}

/**
 * An outage, not a bug: 503 (507 Insufficient Storage for a full disk) with
 * Retry-After, sooner for a blip than for what needs an operator. The reason
 * is in the body; the message, which names the store, only in the log.
 */
function storeUnavailable(error: StoreUnavailableError, logger: Logger): Response {
  logger.error('The store is unavailable:', error.message);
  const status = error.reason === 'full' ? 507 : 503;
  const retryAfter = error.reason === 'unreachable' || error.reason === 'io' || error.reason === 'busy' ? '1' : '30';
  return json(status, { message: 'The store is unavailable; retry later.', reason: error.reason }, { 'retry-after': retryAfter });
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers });
}
