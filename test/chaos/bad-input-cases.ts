/**
 * @module test/chaos/bad-input-cases
 * A generated set of bad requests over every route of the HTTP surface
 * (management API, the sample app's triggers, unknown routes): malformed,
 * deep and oversized-number JSON, bytes that are not UTF-8, wrong media
 * types and encodings, bad and empty query parameters, strict-date
 * violations, control characters in identifiers and filters, wrong methods,
 * foreign Host and cross-site Origin.
 *
 * Every case is bad input, so every answer must be a 4xx: a 5xx is a bug,
 * and so is a 2xx (the server accepted garbage). `seedInstances` and
 * `snapshot` let a runner check that nothing was created, lost or changed.
 * Reused by `npm test` (test/http/bad-input-generated.test.ts) and meant
 * for `npm run chaos`.
 */
import { rawRequest, type RawRequest, type RawResponse } from '../helpers/raw-http.ts';

export const MANAGEMENT = '/runtime/webhooks/durabletask';

export interface BadInputCase extends RawRequest {
  /** What is wrong, for the report. */
  readonly name: string;
}

/** Instances the cases aim at: one finished, one live, both seeded before the run. */
export const SEEDED = { finished: 'seed-finished', live: 'seed-live' } as const;

const JSON_TYPE = { 'content-type': 'application/json' };

const BAD_JSON = [
  '{',
  '{"a":}',
  '[1,2',
  'nul',
  'tru',
  "{'a':1}",
  '{"a":1,}',
  '01',
  '.5',
  'NaN',
  'Infinity',
  '"\\x41"',
  '"\\u12"',
  '{"a" 1}',
];
const BAD_NUMBERS = ['1e400', '-1e400', '[1e999]', '{"n":-1e309}'];
const DEPTHS = [65, 1_000, 4_500, 100_000];
const BAD_UTF8 = [
  Buffer.from([0x22, 0xc3, 0x28, 0x22]),
  Buffer.from([0x22, 0xff, 0xfe, 0x22]),
  Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]), // an encoded surrogate
  Buffer.from([0x5b, 0x22, 0xe2, 0x82, 0x5d]), // truncated sequence
];
const WRONG_TYPES = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=b', 'application/xml', 'json', ''];
const ENCODINGS = ['gzip', 'br', 'deflate', 'compress, gzip'];

const BAD_IDS = ['%00', 'a%00b', 'a%01b', '%7F', '%40reserved', 'a%2Fb', 'a%5Cb', 'a%23b', 'a%3Fb', 'x'.repeat(257), '%09tab'];
const BAD_NAMES = ['%00', 'Hello%00Sequence', 'a%1Fb', 'x'.repeat(257)];
const BAD_DATES = [
  '0',
  '2000',
  '1700000000000',
  'yesterday',
  '2023-02-29',
  '2024-13-01',
  '2024-01-32',
  '2024-01-01T25:00:00Z',
  '2024-01-01T10:00:00+99:00',
  '2024-01-01%2010:00',
  '01/02/2024',
  '%00',
  '2024-01-01%00',
  '+002024-01-01',
];
// `top` above a page (1001, 5000) is accepted, as in Durable Functions: the page is capped and the continuation token carries the rest.
const BAD_TOPS = ['0', '-1', '1e3', 'abc', '99999999999999999999', '1.5', '%00', ''];
const BAD_STATUSES = ['', ',', 'Running,', 'Sleeping', 'running%00', 'Completed,,Failed'];
// A boolean that does not parse (`yes`, `1`) takes its default, as in Durable Functions; a control character is refused.
const BAD_BOOLS = ['%00', 'true%00', '%1B'];

/** Every route that reads a JSON body, with the instance it aims at. */
function bodyRoutes(): string[] {
  return [
    `${MANAGEMENT}/orchestrators/HelloSequence/gen-body`,
    `${MANAGEMENT}/orchestrators/HelloSequence`,
    `${MANAGEMENT}/instances/${SEEDED.live}/raiseEvent/Approval`,
    '/api/orchestrators/HelloSequence/gen-body-trigger',
    '/api/start-and-wait/HelloSequence?timeoutMs=0',
  ];
}

/** Routes that take a body but do not read it: a body must still be JSON. */
function unreadBodyRoutes(): string[] {
  return ['terminate', 'suspend', 'resume', 'rewind', 'restart'].map((op) => `${MANAGEMENT}/instances/${SEEDED.live}/${op}`);
}

function bodyCases(): BadInputCase[] {
  const cases: BadInputCase[] = [];
  for (const path of bodyRoutes()) {
    for (const body of BAD_JSON) cases.push({ name: `malformed JSON ${body}`, method: 'POST', path, headers: JSON_TYPE, body });
    for (const body of BAD_NUMBERS) cases.push({ name: `number JSON cannot hold ${body}`, method: 'POST', path, headers: JSON_TYPE, body });
    for (const depth of DEPTHS) {
      cases.push({ name: `${depth} nested arrays`, method: 'POST', path, headers: JSON_TYPE, body: '['.repeat(depth) + ']'.repeat(depth) });
    }
    cases.push({
      name: '4,500 nested objects',
      method: 'POST',
      path,
      headers: JSON_TYPE,
      body: '{"a":'.repeat(4_500) + '1' + '}'.repeat(4_500),
    });
    for (const body of BAD_UTF8)
      cases.push({ name: `invalid UTF-8 ${body.toString('hex')}`, method: 'POST', path, headers: JSON_TYPE, body });
    for (const type of WRONG_TYPES) {
      cases.push({ name: `Content-Type '${type}'`, method: 'POST', path, headers: type === '' ? {} : { 'content-type': type }, body: '1' });
    }
  }
  for (const path of [...bodyRoutes().slice(0, 3), ...unreadBodyRoutes()]) {
    for (const encoding of ENCODINGS) {
      cases.push({
        name: `Content-Encoding ${encoding}`,
        method: 'POST',
        path,
        headers: { ...JSON_TYPE, 'content-encoding': encoding },
        body: '1',
      });
    }
  }
  for (const path of unreadBodyRoutes()) {
    for (const type of WRONG_TYPES) {
      cases.push({
        name: `unread body as '${type}'`,
        method: 'POST',
        path,
        headers: type === '' ? {} : { 'content-type': type },
        body: 'x',
      });
    }
  }
  return cases;
}

function identifierCases(): BadInputCase[] {
  const cases: BadInputCase[] = [];
  for (const id of BAD_IDS) {
    const at = `${MANAGEMENT}/instances/${id}`;
    cases.push(
      { name: `GET bad id ${id}`, method: 'GET', path: at },
      { name: `DELETE bad id ${id}`, method: 'DELETE', path: at },
      { name: `raise on bad id ${id}`, method: 'POST', path: `${at}/raiseEvent/Approval` },
      { name: `terminate bad id ${id}`, method: 'POST', path: `${at}/terminate` },
      { name: `rewind bad id ${id}`, method: 'POST', path: `${at}/rewind` },
      { name: `restart bad id ${id}`, method: 'POST', path: `${at}/restart` },
      { name: `start bad id ${id}`, method: 'POST', path: `${MANAGEMENT}/orchestrators/HelloSequence/${id}` },
      { name: `trigger bad id ${id}`, method: 'POST', path: `/api/orchestrators/HelloSequence/${id}` },
    );
  }
  for (const name of BAD_NAMES) {
    cases.push(
      { name: `start bad function ${name}`, method: 'POST', path: `${MANAGEMENT}/orchestrators/${name}` },
      { name: `trigger bad function ${name}`, method: 'POST', path: `/api/orchestrators/${name}/gen-name` },
      { name: `bad event name ${name}`, method: 'POST', path: `${MANAGEMENT}/instances/${SEEDED.live}/raiseEvent/${name}` },
    );
  }
  cases.push(
    { name: 'unknown orchestration', method: 'POST', path: `${MANAGEMENT}/orchestrators/NoSuchThing/gen-x` },
    { name: 'reason with NUL', method: 'POST', path: `${MANAGEMENT}/instances/${SEEDED.live}/terminate?reason=a%00b` },
    { name: 'reason too long', method: 'POST', path: `${MANAGEMENT}/instances/${SEEDED.live}/suspend?reason=${'r'.repeat(5000)}` },
    { name: 'rewind of a live instance', method: 'POST', path: `${MANAGEMENT}/instances/${SEEDED.live}/rewind` },
    {
      name: 'same-id restart of a live instance',
      method: 'POST',
      path: `${MANAGEMENT}/instances/${SEEDED.live}/restart?restartWithNewInstanceId=false`,
    },
    { name: 'purge of a live instance', method: 'DELETE', path: `${MANAGEMENT}/instances/${SEEDED.live}` },
    { name: 'raise on a finished instance', method: 'POST', path: `${MANAGEMENT}/instances/${SEEDED.finished}/raiseEvent/Approval` },
    { name: 'terminate a finished instance', method: 'POST', path: `${MANAGEMENT}/instances/${SEEDED.finished}/terminate` },
    { name: 'start over a live instance', method: 'POST', path: `${MANAGEMENT}/orchestrators/ApprovalWorkflow/${SEEDED.live}` },
  );
  return cases;
}

function queryCases(): BadInputCase[] {
  const cases: BadInputCase[] = [];
  const list = `${MANAGEMENT}/instances`;
  const purge = (query: string) => `${MANAGEMENT}/instances?${query}`;
  for (const date of BAD_DATES) {
    cases.push(
      { name: `list createdTimeFrom=${date}`, method: 'GET', path: `${list}?createdTimeFrom=${date}` },
      { name: `list createdTimeTo=${date}`, method: 'GET', path: `${list}?createdTimeTo=${date}` },
      { name: `purge createdTimeFrom=${date}`, method: 'DELETE', path: purge(`createdTimeFrom=${date}`) },
      { name: `purge createdTimeTo=${date}`, method: 'DELETE', path: purge(`createdTimeFrom=2000-01-01&createdTimeTo=${date}`) },
      {
        name: `entities lastOperationTimeFrom=${date}`,
        method: 'GET',
        path: `${MANAGEMENT}/entities/counter?lastOperationTimeFrom=${date}`,
      },
      { name: `entities lastOperationTimeTo=${date}`, method: 'GET', path: `${MANAGEMENT}/entities/counter?lastOperationTimeTo=${date}` },
    );
  }
  for (const top of BAD_TOPS) cases.push({ name: `top=${top}`, method: 'GET', path: `${list}?top=${top}` });
  for (const status of BAD_STATUSES) {
    cases.push(
      { name: `list runtimeStatus=${status}`, method: 'GET', path: `${list}?runtimeStatus=${status}` },
      { name: `purge runtimeStatus=${status}`, method: 'DELETE', path: purge(`createdTimeFrom=2000-01-01&runtimeStatus=${status}`) },
    );
  }
  for (const live of ['Running', 'Pending', 'Suspended', 'Completed,Running']) {
    cases.push({ name: `purge live status ${live}`, method: 'DELETE', path: purge(`createdTimeFrom=2000-01-01&runtimeStatus=${live}`) });
  }
  for (const prefix of ['', '%00', 'a%00', '%1B', 'x'.repeat(1025)]) {
    cases.push({ name: `instanceIdPrefix=${prefix.slice(0, 10)}`, method: 'GET', path: `${list}?instanceIdPrefix=${prefix}` });
  }
  for (const value of BAD_BOOLS) {
    cases.push(
      { name: `showInput=${value}`, method: 'GET', path: `${list}?showInput=${value}` },
      { name: `showHistory=${value}`, method: 'GET', path: `${MANAGEMENT}/instances/${SEEDED.finished}?showHistory=${value}` },
      {
        name: `returnInternalServerErrorOnFailure=${value}`,
        method: 'GET',
        path: `${MANAGEMENT}/instances/${SEEDED.finished}?returnInternalServerErrorOnFailure=${value}`,
      },
      {
        name: `restartWithNewInstanceId=${value}`,
        method: 'POST',
        path: `${MANAGEMENT}/instances/${SEEDED.finished}/restart?restartWithNewInstanceId=${value}`,
      },
    );
  }
  cases.push(
    { name: 'bare purge', method: 'DELETE', path: list },
    { name: 'purge with only createdTimeTo', method: 'DELETE', path: purge('createdTimeTo=2100-01-01') },
    { name: 'repeated createdTimeFrom', method: 'DELETE', path: purge('createdTimeFrom=2000-01-01&createdTimeFrom=2001-01-01') },
    { name: 'repeated top', method: 'GET', path: `${list}?top=1&top=2` },
    { name: 'bad continuation token', method: 'GET', path: list, headers: { 'x-ms-continuation-token': 'not-a-token' } },
    { name: 'start-and-wait timeoutMs=-1', method: 'POST', path: '/api/start-and-wait/HelloSequence?timeoutMs=-1' },
    { name: 'start-and-wait timeoutMs=1e9', method: 'POST', path: '/api/start-and-wait/HelloSequence?timeoutMs=1000000000' },
  );
  return cases;
}

/** Perdure's entity read routes (`perdure/entities`): filters, sizes, tokens and IDs the client or the route refuses. */
function entityReadCases(): BadInputCase[] {
  const list = `${MANAGEMENT}/perdure/entities`;
  const one = `${list}/counter/k`;
  const cases: BadInputCase[] = BAD_TOPS.map((top) => ({ name: `entities top=${top}`, method: 'GET', path: `${list}?top=${top}` }));
  for (const query of [
    'name=',
    'name=%00',
    'name=a%40b',
    `name=${'x'.repeat(129)}`,
    'name=a&name=b',
    'prefix=a',
    'name=c&prefix=',
    'name=c&prefix=a%23b',
  ]) {
    cases.push({ name: `entities ${query.slice(0, 20)}`, method: 'GET', path: `${list}?${query}` });
  }
  for (const value of ['yes', '1', '%00', '']) {
    cases.push({ name: `entities includeDeleted=${value}`, method: 'GET', path: `${list}?includeDeleted=${value}` });
  }
  for (const value of ['0', '-1', 'abc', '1.5', '', '99999999999', '%00']) {
    cases.push({ name: `entity maxStateChars=${value}`, method: 'GET', path: `${one}?maxStateChars=${value}` });
  }
  for (const [name, key] of <Array<[string, string]>>[
    ['a%40b', 'k'],
    ['c', 'a%00b'],
    ['c', 'a%3Fb'],
    ['%00', 'k'],
    ['c', 'x'.repeat(2000)],
  ]) {
    cases.push({ name: `entity ${name.slice(0, 8)}/${key.slice(0, 8)}`, method: 'GET', path: `${list}/${name}/${key}` });
  }
  cases.push({ name: 'entities bad continuation token', method: 'GET', path: list, headers: { 'x-ms-continuation-token': 'not-a-token' } });
  return cases;
}

function methodAndRouteCases(): BadInputCase[] {
  const cases: BadInputCase[] = [];
  const routes = [
    `${MANAGEMENT}/instances`,
    `${MANAGEMENT}/instances/${SEEDED.finished}`,
    `${MANAGEMENT}/instances/${SEEDED.live}/raiseEvent/Approval`,
    `${MANAGEMENT}/instances/${SEEDED.live}/terminate`,
    `${MANAGEMENT}/orchestrators/HelloSequence`,
    '/api/orchestrators/HelloSequence/gen-method',
    '/api/start-and-wait/HelloSequence',
    '/api/health',
  ];
  for (const path of routes) {
    for (const method of ['PUT', 'PATCH']) cases.push({ name: `${method} ${path}`, method, path, headers: JSON_TYPE, body: '1' });
  }
  for (const path of routes.slice(2, 7)) cases.push({ name: `GET ${path}`, method: 'GET', path });
  cases.push({ name: 'POST health', method: 'POST', path: '/api/health', headers: JSON_TYPE, body: '1' });
  // `/` is the dashboard (a redirect to /dashboard); a path under it that it does not serve is unknown.
  for (const path of [
    '/dashboard/nothing',
    '/api',
    '/api/',
    '/api/nothing',
    '/runtime',
    `${MANAGEMENT}`,
    `${MANAGEMENT}/`,
    `${MANAGEMENT}/instance`,
    `${MANAGEMENT}/instances/${SEEDED.live}/explode`,
    `${MANAGEMENT}/instances/${SEEDED.live}/raiseEvent`,
    `${MANAGEMENT}/orchestrators`,
    '/admin',
    '/.env',
    '/%00',
    '/api/%ZZ',
    '/../../etc/passwd',
  ]) {
    cases.push({ name: `unknown GET ${path}`, method: 'GET', path }, { name: `unknown POST ${path}`, method: 'POST', path });
  }
  return cases;
}

/** Requests a browser would send on a page's behalf: foreign Host (rebinding), cross-site Origin. */
function browserCases(port: number): BadInputCase[] {
  const cases: BadInputCase[] = [];
  const stateChanging: [string, string][] = [
    ['POST', `${MANAGEMENT}/orchestrators/HelloSequence/gen-csrf`],
    ['POST', `${MANAGEMENT}/instances/${SEEDED.live}/terminate`],
    ['POST', `${MANAGEMENT}/instances/${SEEDED.live}/raiseEvent/Approval`],
    ['POST', `${MANAGEMENT}/instances/${SEEDED.finished}/restart`],
    ['DELETE', `${MANAGEMENT}/instances/${SEEDED.finished}`],
    ['DELETE', `${MANAGEMENT}/instances?createdTimeFrom=2000-01-01`],
    ['POST', '/api/orchestrators/HelloSequence/gen-csrf-trigger'],
  ];
  for (const [method, path] of stateChanging) {
    for (const origin of ['http://evil.example', 'null', 'https://localhost.evil.example', 'file://', 'chrome-extension://abc']) {
      cases.push({ name: `${method} ${path} from ${origin}`, method, path, headers: { origin } });
    }
    cases.push({ name: `${method} ${path} cross-site fetch`, method, path, headers: { 'sec-fetch-site': 'cross-site' } });
  }
  for (const [method, path] of [...stateChanging, ['GET', `${MANAGEMENT}/instances`], ['GET', '/api/health']] as [string, string][]) {
    for (const host of [`evil.example:${port}`, 'evil.example', `127.0.0.1.evil.example:${port}`, `localhost.evil.example`]) {
      cases.push({ name: `${method} ${path} for Host ${host}`, method, path, headers: { host } });
    }
  }
  return cases;
}

export function badInputCases(port: number): BadInputCase[] {
  return [...bodyCases(), ...identifierCases(), ...queryCases(), ...entityReadCases(), ...methodAndRouteCases(), ...browserCases(port)];
}

/** One finished and one live instance, to aim the cases at. */
export async function seedInstances(baseUrl: string): Promise<void> {
  const start = (name: string, id: string, body: string) =>
    rawRequest(baseUrl, { method: 'POST', path: `${MANAGEMENT}/orchestrators/${name}/${id}`, headers: JSON_TYPE, body });
  await start('HelloSequence', SEEDED.finished, '"seed"');
  await start('ApprovalWorkflow', SEEDED.live, '{"timeoutSeconds":3600}');
  const deadline = Date.now() + 30_000;
  for (;;) {
    const finished = await rawRequest(baseUrl, { method: 'GET', path: `${MANAGEMENT}/instances/${SEEDED.finished}` });
    const live = await rawRequest(baseUrl, { method: 'GET', path: `${MANAGEMENT}/instances/${SEEDED.live}` });
    if (finished.body?.runtimeStatus === 'Completed' && live.body?.runtimeStatus === 'Running') return;
    if (Date.now() > deadline) throw new Error(`seed instances did not settle: ${finished.text} ${live.text}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Every instance's ID, status, input and output, sorted: equal before and after means nothing was lost or changed. */
export async function snapshot(baseUrl: string): Promise<string> {
  const all: unknown[] = [];
  let token: string | undefined;
  do {
    const page = await rawRequest(baseUrl, {
      method: 'GET',
      path: `${MANAGEMENT}/instances?top=1000&showInput=true`,
      headers: token === undefined ? {} : { 'x-ms-continuation-token': token },
    });
    if (page.status !== 200) throw new Error(`listing failed: ${page.status} ${page.text}`);
    for (const s of page.body as Record<string, unknown>[]) all.push([s['instanceId'], s['runtimeStatus'], s['input'], s['output']]);
    token = page.headers['x-ms-continuation-token'] as string | undefined;
  } while (token);
  return JSON.stringify(all.sort((a, b) => String((a as unknown[])[0]).localeCompare(String((b as unknown[])[0]))));
}

export interface CaseOutcome {
  readonly case: BadInputCase;
  readonly status: number;
  readonly text: string;
}

/** Runs the cases a few at a time; a network error is recorded as status 0. */
export async function runCases(baseUrl: string, cases: readonly BadInputCase[], concurrency = 8): Promise<CaseOutcome[]> {
  const outcomes: CaseOutcome[] = [];
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const c = cases[next++]!;
      const response: RawResponse | undefined = await rawRequest(baseUrl, c).catch(() => undefined);
      outcomes.push({ case: c, status: response?.status ?? 0, text: response?.text.slice(0, 300) ?? '(no answer)' });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return outcomes;
}
