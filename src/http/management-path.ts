/**
 * @module http/management-path
 * Splits a management URL path into Durable Functions' route segments.
 *
 * Durable Functions' status URLs always carry a query (`?taskHub=…`), so
 * its clients add parameters with `&`: the durable-functions JS client
 * builds `…/instances/{id}&showHistory=true` from a status URL, and
 * `…/instances/&createdTimeFrom=…` to list. Perdure's URLs carry no query
 * without a host key, so such a path arrives with the parameters in it.
 *
 * What must hold:
 * - A literal `&` in the last segment starts parameters only when every
 *   name after it is a management parameter; otherwise it is part of the
 *   instance ID, as are an encoded `%26` and any `&` in an ID that a client
 *   sends unencoded without parameters after it.
 * - Segments are percent-decoded; a malformed escape is a 400 naming `path`.
 */
import { ValidationError } from '../model/errors.ts';

export interface ManagementPath {
  readonly segments: readonly string[];
  /** Query text that followed a literal `&` in the path. */
  readonly extraQuery: string;
}

const PARAMETER_NAMES = new Set(
  [
    'showHistory',
    'showHistoryOutput',
    'showInput',
    'returnInternalServerErrorOnFailure',
    'createdTimeFrom',
    'createdTimeTo',
    'runtimeStatus',
    'instanceIdPrefix',
    'top',
    'taskHub',
    'connection',
    'code',
    'reason',
    'timeout',
    'pollingInterval',
    'restartWithNewInstanceId',
  ].map((name) => name.toLowerCase()),
);

/** `pathname` is the part after the management base path, still percent-encoded. */
export function parseManagementPath(pathname: string): ManagementPath {
  const { path, extraQuery } = splitAppendedQuery(pathname);
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  const segments = trimmed === '' ? [] : trimmed.split('/').map(decodeSegment);
  return { segments, extraQuery };
}

function splitAppendedQuery(pathname: string): { path: string; extraQuery: string } {
  const lastSlash = pathname.lastIndexOf('/');
  const amp = pathname.indexOf('&', lastSlash + 1);
  if (amp < 0) return { path: pathname, extraQuery: '' };
  const extraQuery = pathname.slice(amp + 1);
  const names = extraQuery.split('&').map((pair) =>
    decodeSafely(pair.split('=')[0] ?? '')
      .trim()
      .toLowerCase(),
  );
  if (!names.every((name) => PARAMETER_NAMES.has(name))) return { path: pathname, extraQuery: '' };
  return { path: pathname.slice(0, amp), extraQuery };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ValidationError('path', `segment '${segment}' is not valid percent-encoding`);
  }
}

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
