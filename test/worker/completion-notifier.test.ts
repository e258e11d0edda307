/**
 * @module test/runtime/completion-notifier.test
 * Waiters poll only when another host could change the instance: while the
 * local worker holds it, the release wakes them instead.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CompletionNotifier } from '../../src/worker/completion-notifier.ts';

const settled = (promise: Promise<void>) =>
  Promise.race([promise.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 60))]);

describe('CompletionNotifier', () => {
  it('polls an instance nobody here holds', async () => {
    const notifier = new CompletionNotifier();
    assert.equal(await settled(notifier.wait('a', 5, 10_000)), true);
  });

  it('does not poll an instance the local worker holds; its release wakes the waiter', async () => {
    const notifier = new CompletionNotifier();
    notifier.hold('a');
    const waiting = notifier.wait('a', 5, 10_000);
    assert.equal(await settled(waiting), false, 'no poll while held');
    notifier.release('a');
    assert.equal(await settled(waiting), true);
    assert.equal(await settled(notifier.wait('a', 5, 10_000)), true, 'polls again once released');
  });

  it('counts holds, and every release wakes the waiters', async () => {
    const notifier = new CompletionNotifier();
    notifier.hold('a');
    notifier.hold('a');
    const first = notifier.wait('a', 5, 10_000);
    notifier.release('a');
    assert.equal(await settled(first), true);
    const second = notifier.wait('a', 5, 10_000);
    assert.equal(await settled(second), false, 'still held once');
    notifier.release('a');
    assert.equal(await settled(second), true);
  });
});
