/**
 * @module azure-functions/http-request
 * `HttpRequest` of `@azure/functions` v4, over a standard fetch Request.
 *
 * The casts through `unknown` keep these declarations valid when an app's tsconfig
 * loads the DOM lib (Azure's templates do), whose fetch types differ from Node's.
 *
 * What must hold:
 * - `params` are the route template's values; `query` is the URL's query;
 *   `headers` is a Headers object; the body methods read the body once, as fetch does.
 * - `new HttpRequest(init)` works as in Azure, so apps' own tests still run.
 */
import type { Blob } from 'node:buffer';
import type { ReadableStream } from 'node:stream/web';
import type { HttpRequestInit, HttpRequestParams, HttpRequestUser } from './http-types.ts';

const NATIVE = Symbol('perdure.nativeRequest');

export interface NativeRequestInit {
  readonly [NATIVE]: Request;
  readonly params: Record<string, string>;
}

/** Wraps a fetch Request that Perdure's HTTP layer received. */
export function fromFetchRequest(request: Request, params: Record<string, string>): HttpRequest {
  return new HttpRequest({ [NATIVE]: request, params } as HttpRequestInit);
}

export class HttpRequest {
  readonly #native: Request;
  readonly #query: URLSearchParams;
  readonly params: HttpRequestParams;
  readonly user: HttpRequestUser | null = null;

  constructor(init: HttpRequestInit) {
    const native = (init as Partial<NativeRequestInit>)[NATIVE];
    this.#native = native ?? buildRequest(init);
    this.params = { ...(init.params ?? {}) };
    this.#query = new URL(this.#native.url).searchParams;
  }

  get method(): string {
    return this.#native.method;
  }
  get url(): string {
    return this.#native.url;
  }
  get headers(): Headers {
    return this.#native.headers;
  }
  get query(): URLSearchParams {
    return this.#query;
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
  readonly clone = (): HttpRequest => fromFetchRequest(this.#native.clone(), this.params);
}

function buildRequest(init: HttpRequestInit): Request {
  const url = new URL(init.url ?? 'http://localhost');
  for (const [key, value] of Object.entries(init.query ?? {})) url.searchParams.set(key, value);
  const method = (init.method ?? 'GET').toUpperCase();
  const body = method === 'GET' || method === 'HEAD' ? undefined : (init.body?.bytes ?? init.body?.string);
  const requestInit = { method, ...(init.headers ? { headers: init.headers } : {}), ...(body === undefined ? {} : { body }) };
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- needed when a user's tsconfig loads the DOM lib (see the module header)
  return new Request(url, requestInit as unknown as RequestInit);
}
