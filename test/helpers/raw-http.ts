/**
 * @module test/helpers/raw-http
 * One HTTP/1.1 request through node:http, with exactly the headers and
 * body bytes given: a foreign `Host`, no `Content-Type` at all, bytes that
 * are not UTF-8. fetch() would fill in or refuse some of these.
 */
import { request as httpRequest } from 'node:http';

export interface RawRequest {
  readonly method: string;
  /** Path and query, sent as they are (already percent-encoded where needed). */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array | string;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
  /** The parsed JSON body, or undefined. */
  readonly body: any;
}

export function rawRequest(baseUrl: string, spec: RawRequest): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const body = typeof spec.body === 'string' ? Buffer.from(spec.body, 'utf8') : spec.body;
  const headers: Record<string, string> = { ...(body === undefined ? {} : { 'content-length': String(body.byteLength) }), ...spec.headers };
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, method: spec.method, path: spec.path, headers, agent: false, setHost: !hasHost(headers) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: any;
          try {
            parsed = text === '' ? undefined : JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function hasHost(headers: Record<string, string>): boolean {
  return Object.keys(headers).some((name) => name.toLowerCase() === 'host');
}
