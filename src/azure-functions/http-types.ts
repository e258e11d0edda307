/**
 * @module azure-functions/http-types
 * The HTTP-function vocabulary of `@azure/functions` v4.
 */
import type { Blob } from 'node:buffer';
import type { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import type { HttpRequest } from './http-request.ts';
import type { HttpResponse } from './http-response.ts';
import type { InvocationContext } from './invocation-context.ts';
import type { FunctionOptions, FunctionOutput, FunctionResult, FunctionTrigger } from './types.ts';

export type HttpMethod = 'GET' | 'POST' | 'DELETE' | 'HEAD' | 'PATCH' | 'PUT' | 'OPTIONS' | 'TRACE' | 'CONNECT';

export type HttpHandler = (request: HttpRequest, context: InvocationContext) => FunctionResult<HttpResponseInit | HttpResponse>;

export interface HttpTriggerOptions {
  /** 'function' needs a function (or master) key, 'admin' the master key, as `code=` or `x-functions-key`. Default 'anonymous'. */
  authLevel?: 'anonymous' | 'function' | 'admin';
  /** Default ['GET', 'POST']. */
  methods?: HttpMethod[];
  /** Relative to the route prefix (host.json `extensions.http.routePrefix`, default `api`). Default: the function name. */
  route?: string;
}

export interface HttpFunctionOptions extends HttpTriggerOptions, Partial<FunctionOptions> {
  handler: HttpHandler;
  trigger?: HttpTrigger;
  return?: FunctionOutput;
}

export type HttpMethodFunctionOptions = Omit<HttpFunctionOptions, 'methods'>;

export interface HttpTrigger extends FunctionTrigger {
  authLevel: 'anonymous' | 'function' | 'admin';
  methods: HttpMethod[];
  route?: string;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- Azure's type: an HTTP output has no options.
export interface HttpOutputOptions {}

export type HttpOutput = FunctionOutput & HttpOutputOptions;

export type HttpResponseBodyInit =
  | ReadableStream
  | Readable
  | Blob
  | ArrayBufferView
  | ArrayBuffer
  | AsyncIterable<Uint8Array>
  | FormData
  | URLSearchParams
  | string
  | null
  | undefined;

export type HttpHeadersInit = Headers | Record<string, string> | [string, string][];

export interface HttpResponseInit {
  body?: HttpResponseBodyInit;
  /** Serialized with JSON.stringify; sets `Content-Type: application/json` unless a header says otherwise. */
  // Azure's type: any JSON-serializable value.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
  jsonBody?: any;
  status?: number;
  headers?: HttpHeadersInit;
  cookies?: Cookie[];
  enableContentNegotiation?: boolean;
}

export interface Cookie {
  name: string;
  value: string;
  domain?: string;
  path?: string;
  expires?: Date | number;
  secure?: boolean;
  httpOnly?: boolean;
  sameSite?: 'Strict' | 'Lax' | 'None' | undefined;
  maxAge?: number;
}

export type HttpRequestParams = Record<string, string>;

export type HttpRequestUserType = 'AppService' | 'StaticWebApps';

export interface HttpRequestUser {
  type: HttpRequestUserType;
  id: string;
  username: string;
  identityProvider: string;
  claimsPrincipalData: Record<string, unknown>;
}

export interface HttpRequestInit {
  method?: string;
  url?: string;
  body?: HttpRequestBodyInit;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  params?: Record<string, string>;
}

export interface HttpRequestBodyInit {
  bytes?: Uint8Array;
  string?: string;
}
