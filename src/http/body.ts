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
 */
import { PayloadTooLargeError, ValidationError } from '../model/errors.ts';

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

/** The parsed JSON body, or `undefined` when the body is empty. */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const text = new TextDecoder().decode(await readBodyBytes(request, maxBytes));
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ValidationError('body', `is not valid JSON (${(error as Error).message})`);
  }
}
