/**
 * @module azure-functions/http-response
 * `HttpResponse` of `@azure/functions` v4, and the conversion of whatever an
 * HTTP handler returns into the fetch Response Perdure sends.
 *
 * The casts through `unknown` keep these declarations valid when an app's tsconfig
 * loads the DOM lib (Azure's templates do), whose fetch types differ from Node's.
 *
 * What must hold:
 * - `jsonBody` is JSON.stringify'd with `Content-Type: application/json`
 *   unless the handler set a content type; 204, 205 and 304 carry no body.
 * - A handler may return an HttpResponse (of this module or any object with
 *   the same members), an HttpResponseInit, or nothing (204). Anything else
 *   is a TypeError, as Azure refuses it.
 */
import type { Blob } from 'node:buffer';
import type { ReadableStream } from 'node:stream/web';
import type { Cookie, HttpResponseInit } from './http-types.ts';

const NULL_BODY_STATUSES = new Set([204, 205, 304]);

export class HttpResponse {
  readonly cookies: Cookie[];
  readonly enableContentNegotiation: boolean;
  #native: Response;

  constructor(init: HttpResponseInit = {}) {
    this.#native = buildResponse(init);
    this.cookies = init.cookies ?? [];
    this.enableContentNegotiation = Boolean(init.enableContentNegotiation);
  }

  get status(): number {
    return this.#native.status;
  }
  get headers(): Headers {
    return this.#native.headers;
  }
  get body(): ReadableStream | null {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- needed when a user's tsconfig loads the DOM lib (see the module header)
    return this.#native.body as unknown as ReadableStream | null;
  }
  get bodyUsed(): boolean {
    return this.#native.bodyUsed;
  }

  readonly arrayBuffer = (): Promise<ArrayBuffer> => this.#native.arrayBuffer();
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- needed when a user's tsconfig loads the DOM lib (see the module header)
  readonly blob = async (): Promise<Blob> => (await this.#native.blob()) as unknown as Blob;
  readonly formData = (): Promise<FormData> => this.#native.formData();
  readonly json = (): Promise<unknown> => this.#native.json();
  readonly text = (): Promise<string> => this.#native.text();
  readonly clone = (): HttpResponse => HttpResponse.#wrap(this.#native.clone(), this);

  /** @internal The fetch Response this one stands for, with its cookies as Set-Cookie headers. */
  toFetchResponse(): Response {
    if (this.cookies.length === 0) return this.#native;
    const headers = new Headers(this.#native.headers);
    for (const cookie of this.cookies) headers.append('set-cookie', serializeCookie(cookie));
    return new Response(this.#native.body, { status: this.#native.status, headers });
  }

  static #wrap(native: Response, like: HttpResponse): HttpResponse {
    const copy = new HttpResponse({ status: 200 });
    Object.assign(copy, { cookies: like.cookies, enableContentNegotiation: like.enableContentNegotiation });
    copy.#native = native;
    return copy;
  }
}

function buildResponse(init: HttpResponseInit): Response {
  const nullBody = init.status !== undefined && NULL_BODY_STATUSES.has(init.status);
  const headers = new Headers(init.headers);
  if (init.jsonBody !== undefined && !nullBody) {
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
    return new Response(JSON.stringify(init.jsonBody), { status: init.status ?? 200, headers });
  }
  const body = nullBody ? null : ((init.body ?? null) as ConstructorParameters<typeof Response>[0]);
  return new Response(body, { status: init.status ?? 200, headers });
}

function serializeCookie(cookie: Cookie): string {
  const parts = [`${cookie.name}=${cookie.value}`];
  if (cookie.domain) parts.push(`Domain=${cookie.domain}`);
  if (cookie.path) parts.push(`Path=${cookie.path}`);
  if (cookie.expires !== undefined) parts.push(`Expires=${new Date(cookie.expires).toUTCString()}`);
  if (cookie.maxAge !== undefined) parts.push(`Max-Age=${cookie.maxAge}`);
  if (cookie.secure) parts.push('Secure');
  if (cookie.httpOnly) parts.push('HttpOnly');
  if (cookie.sameSite) parts.push(`SameSite=${cookie.sameSite}`);
  return parts.join('; ');
}

/** What Perdure sends for a handler's return value. */
export function toFetchResponse(result: unknown): Response {
  if (result === undefined || result === null) return new Response(null, { status: 204 });
  if (result instanceof HttpResponse) return result.toFetchResponse();
  if (typeof result !== 'object') {
    throw new TypeError(
      `An HTTP handler must return an HttpResponse or an object with optional properties "body", "jsonBody", "status", "headers" and "cookies" (got ${typeof result}).`,
    );
  }
  if (isResponseLike(result)) return fromResponseLike(result);
  return new HttpResponse(result).toFetchResponse();
}

interface ResponseLike {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** An HttpResponse built by another copy of this module, or a fetch Response. */
function isResponseLike(value: object): value is ResponseLike {
  const candidate = value as Partial<ResponseLike>;
  return typeof candidate.status === 'number' && candidate.headers instanceof Headers && typeof candidate.arrayBuffer === 'function';
}

function fromResponseLike(value: ResponseLike): Response {
  if (value instanceof Response) return value;
  const body = (value.body ?? null) as ConstructorParameters<typeof Response>[0];
  return new Response(NULL_BODY_STATUSES.has(value.status) ? null : body, { status: value.status, headers: value.headers });
}
