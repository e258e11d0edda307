/**
 * @module test/http/body.test
 * The body reader's limits, without a server: what is drained, what is
 * refused, and when the answer must close the connection; and how a store
 * outage is answered.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DRAIN_LIMIT_BYTES, readBodyBytes, readJsonBody, UnreadBodyError } from '../../src/http/body.ts';
import { errorResponse } from '../../src/http/errors.ts';
import { PayloadTooLargeError, StoreUnavailableError, ValidationError } from '../../src/model/errors.ts';
import { silentLogger } from '../../src/runtime/logger.ts';

function streamed(bytes: number): Request {
  const chunk = new Uint8Array(64 * 1024).fill(120);
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= bytes) return controller.close();
      const size = Math.min(chunk.byteLength, bytes - sent);
      sent += size;
      controller.enqueue(chunk.subarray(0, size));
    },
  });
  return new Request('http://127.0.0.1/x', { method: 'POST', body, duplex: 'half' });
}

describe('request body limits', () => {
  it('returns the whole body at the limit', async () => {
    assert.equal((await readBodyBytes(streamed(1000), 1000)).byteLength, 1000);
  });

  it('drains a body over the limit and answers 413 on a connection that stays open', async () => {
    const error = await readBodyBytes(streamed(3000), 1000).catch((e: unknown) => e);
    assert.ok(error instanceof PayloadTooLargeError && !(error instanceof UnreadBodyError));
    assert.equal(error.bytes, 3000);
    const response = errorResponse(error, silentLogger);
    assert.equal(response.status, 413);
    assert.equal(response.headers.get('connection'), null);
  });

  it('stops reading past the drain limit and answers 413 with Connection: close', async () => {
    const error = await readBodyBytes(streamed(DRAIN_LIMIT_BYTES + 128 * 1024), 1000).catch((e: unknown) => e);
    assert.ok(error instanceof UnreadBodyError);
    const response = errorResponse(error, silentLogger);
    assert.equal(response.status, 413);
    assert.equal(response.headers.get('connection'), 'close');
    assert.equal(((await response.json()) as { limitBytes: number }).limitBytes, 1000);
  });

  it('refuses a declared length past the drain limit without reading', async () => {
    const request = new Request('http://127.0.0.1/x', {
      method: 'POST',
      body: 'x',
      headers: { 'content-length': String(DRAIN_LIMIT_BYTES + 1) },
    });
    await assert.rejects(readBodyBytes(request, 1000), UnreadBodyError);
  });

  it('reads an empty body as no input and names the body in a JSON error', async () => {
    assert.equal(await readJsonBody(streamed(0), 1000), undefined);
    const bad = new Request('http://127.0.0.1/x', { method: 'POST', body: '{"a":', headers: { 'content-type': 'application/json' } });
    await assert.rejects(readJsonBody(bad, 1000), (e: unknown) => e instanceof ValidationError && e.field === 'body');
  });
});

describe('error answers', () => {
  it('answers a store outage with 503 and Retry-After, and keeps the details for the log', async () => {
    const logged: unknown[] = [];
    const logger = { ...silentLogger, error: (...args: unknown[]) => void logged.push(args) };
    const response = errorResponse(new StoreUnavailableError('The store postgres://db:5432/app cannot be reached: ECONNREFUSED'), logger);
    assert.equal(response.status, 503);
    assert.equal(response.headers.get('retry-after'), '1');
    assert.deepEqual(await response.json(), { message: 'The store is unavailable; retry later.', reason: 'unreachable' });
    assert.equal(logged.length, 1, 'the cause goes to the log');
  });

  it('answers a full disk with 507, and other faults that need an operator with 503 and a longer Retry-After', async () => {
    const full = errorResponse(new StoreUnavailableError('The store sqlite:/x.db is unavailable: full', { reason: 'full' }), silentLogger);
    assert.equal(full.status, 507);
    assert.equal(full.headers.get('retry-after'), '30');
    assert.deepEqual(await full.json(), { message: 'The store is unavailable; retry later.', reason: 'full' });
    for (const reason of ['readOnly', 'corrupt'] as const) {
      const response = errorResponse(new StoreUnavailableError(`The store sqlite:/x.db is ${reason}`, { reason }), silentLogger);
      assert.equal(response.status, 503);
      assert.equal(response.headers.get('retry-after'), '30');
      assert.doesNotMatch(await response.text(), /x\.db/, 'the path stays in the log');
    }
  });
});
