/**
 * @module page-token
 * The continuation token of `listInstances`: an opaque, URL-safe encoding of
 * the last row's keyset position (created_at, instance_id), the same for
 * every store, so paging never repeats or skips a row that existed throughout.
 *
 * What must hold: a token the store did not produce is a ValidationError
 * naming `continuationToken`, never a query with garbage in it.
 */
import { ValidationError } from '../model/errors.ts';

export interface PageKey {
  readonly createdAt: number;
  readonly instanceId: string;
}

export function encodePageToken(key: PageKey): string {
  return Buffer.from(JSON.stringify([key.createdAt, key.instanceId])).toString('base64url');
}

export function decodePageToken(token: string): PageKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch (error) {
    throw new ValidationError('continuationToken', 'is not a token returned by listInstances', { cause: error });
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || !Number.isSafeInteger(parsed[0]) || typeof parsed[1] !== 'string') {
    throw new ValidationError('continuationToken', 'is not a token returned by listInstances');
  }
  return { createdAt: parsed[0] as number, instanceId: parsed[1] };
}

export function validatePageSize(pageSize: number): number {
  if (!Number.isSafeInteger(pageSize) || pageSize < 1) {
    throw new ValidationError('pageSize', `must be a positive integer (got ${String(pageSize)})`);
  }
  return pageSize;
}
