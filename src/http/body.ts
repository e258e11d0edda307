/**
 * @module http/body
 * Reading request bodies under a size limit.
 *
 * What must hold:
 * - The limit is enforced on the bytes actually received, so a chunked body
 *   or a lying Content-Length cannot get past it.
 * - A body over the limit is still read to its end (and thrown away) up to
 *   `DRAIN_LIMIT_BYTES`, so the 413 reaches a client that is still sending
 *   and the connection stays reusable. Past that the answer says
 *   `Connection: close` (`UnreadBodyError`), so no client reuses a
 *   connection the server is about to drop.
 * - An empty body means "no input" (`undefined`), never a JSON error.
 * - A JSON body is declared as JSON (`application/json` or `+json`),
 *   not compressed, valid UTF-8 and nested no deeper than `MAX_JSON_DEPTH`;
 *   otherwise 415 or 400, before anything is parsed into a payload.
 */
import { isUtf8 } from 'node:buffer';
import type { MiddlewareHandler } from 'hono';
import { PayloadTooLargeError, ValidationError } from '../model/errors.ts';
import { assertJsonDepth } from '../model/json.ts';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** How much of an oversized body is read and discarded before giving up on the connection. */
export const DRAIN_LIMIT_BYTES = 16 * 1024 * 1024;

/** A 413 whose body was not read to its end: the connection must be closed. */
export class UnreadBodyError extends PayloadTooLargeError {
  override name = 'UnreadBodyError';
}

export async function readBodyBytes(request: Request, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (declared > DRAIN_LIMIT_BYTES) throw new UnreadBodyError('body', declared, maxBytes);
  if (!request.body) return new Uint8Array(0);
  // The fetch standard delivers a request body as Uint8Array chunks; Node's types leave the chunk type open.
  const reader = (request.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > DRAIN_LIMIT_BYTES) {
      void reader.cancel().catch(() => {});
      throw new UnreadBodyError('body', total, maxBytes);
    }
    if (total <= maxBytes) chunks.push(value);
  }
  if (total > maxBytes) throw new PayloadTooLargeError('body', total, maxBytes);
  return Buffer.concat(chunks);
}

/** A body the server will not read as it is sent: the wrong media type or an encoding it does not undo (HTTP 415). */
export class UnsupportedMediaTypeError extends ValidationError {
  override name = 'UnsupportedMediaTypeError';
}

/** `application/json`, `application/json; charset=utf-8`, `application/merge-patch+json`, ... */
export function isJsonMediaType(contentType: string | null): boolean {
  if (contentType === null) return false;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || /^application\/[a-z0-9.!#$&^_-]+\+json$/.test(type);
}

/** A body needs a JSON media type: what a browser can send cross-site without asking (text/plain, forms) is refused. */
export function assertJsonContentType(request: Request): void {
  const contentType = request.headers.get('content-type');
  if (isJsonMediaType(contentType)) return;
  throw new UnsupportedMediaTypeError(
    'Content-Type',
    `must be application/json for a body (got ${contentType === null ? 'none' : `'${contentType}'`})`,
  );
}

/** Only `identity` (or no header): a compressed body would be read as garbage. */
export function assertIdentityEncoding(request: Request): void {
  const encoding = request.headers.get('content-encoding');
  if (encoding === null) return;
  const codings = encoding
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter(Boolean);
  if (codings.every((coding) => coding === 'identity')) return;
  throw new UnsupportedMediaTypeError('Content-Encoding', `'${encoding}' is not supported; send the body uncompressed`);
}

/** Bytes that must be UTF-8 text (RFC 8259 §8.1 for JSON). */
export function assertUtf8(bytes: Uint8Array, field = 'body'): void {
  if (!isUtf8(bytes)) throw new ValidationError(field, 'is not valid UTF-8');
}

/** The parsed JSON body, or `undefined` when the body is empty. */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  assertIdentityEncoding(request);
  const bytes = await readBodyBytes(request, maxBytes);
  if (bytes.byteLength === 0) return undefined;
  assertJsonContentType(request);
  assertUtf8(bytes);
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ValidationError('body', `is not valid JSON (${(error as Error).message})`);
  }
  assertJsonDepth(value, 'body');
  return value;
}

/** HTTP/1.1 framing says a body follows: a non-zero Content-Length, or Transfer-Encoding. */
export function declaresBody(request: Request): boolean {
  const length = request.headers.get('content-length');
  return request.headers.has('transfer-encoding') || (length !== null && length.trim() !== '0');
}

/** Any request that carries a body must carry JSON, uncompressed, whether or not the route reads it. */
export function jsonBodiesOnly(): MiddlewareHandler {
  return async (c, next) => {
    if (declaresBody(c.req.raw)) {
      assertIdentityEncoding(c.req.raw);
      assertJsonContentType(c.req.raw);
    }
    await next();
  };
}
