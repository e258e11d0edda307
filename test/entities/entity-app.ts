/**
 * @module test/entities/entity-app
 * The app the entity tests run: a counter (object form), a log that keeps
 * the order of its signals, bank accounts moved by a critical section, and
 * orchestrations that call, signal and lock them.
 */
import { createApp, EntityOperationFailedError, type EntityContext, type FunctionApp } from '../../src/index.ts';

export function buildEntityApp(): FunctionApp {
  const app = createApp();
  const counter = app.entity('Counter', {
    add: (amount: number, ctx: EntityContext<number>) => ctx.setState((ctx.getState(() => 0) ?? 0) + amount),
    get: (_: undefined, ctx: EntityContext<number>) => ctx.getState(() => 0) ?? 0,
    reset: (_: undefined, ctx: EntityContext<number>) => ctx.deleteState(),
    /** Changes the state, signals, then throws: all of it must be undone. */
    addThenFail: (amount: number, ctx: EntityContext<number>) => {
      ctx.setState((ctx.getState(() => 0) ?? 0) + amount);
      ctx.signalEntity({ name: 'log', key: 'from-failed' }, 'append', 'must not arrive');
      throw new Error(`refused ${amount}`);
    },
    /** Signals the log and starts an orchestration, as one effect with the state change. */
    addAndTell: (amount: number, ctx: EntityContext<number>) => {
      ctx.setState((ctx.getState(() => 0) ?? 0) + amount);
      ctx.signalEntity({ name: 'log', key: ctx.key }, 'append', `added ${amount}`);
      ctx.startNew('Echo', { instanceId: `echo-${ctx.key}`, input: amount });
    },
  });
  app.entity('Log', (ctx: EntityContext<string[]>) => {
    const items = ctx.getState(() => []) ?? [];
    if (ctx.operationName === 'append') items.push(ctx.getInput<string>());
    else if (ctx.operationName === 'get') ctx.return(items);
  });
  const account = app.entity('Account', {
    deposit: (amount: number, ctx: EntityContext<number>) => ctx.setState((ctx.getState(() => 0) ?? 0) + amount),
    withdraw: (amount: number, ctx: EntityContext<number>) => {
      const balance = ctx.getState(() => 0) ?? 0;
      if (balance < amount) throw new Error(`insufficient funds: ${balance} < ${amount}`);
      ctx.setState(balance - amount);
    },
    balance: (_: undefined, ctx: EntityContext<number>) => ctx.getState(() => 0) ?? 0,
  });

  app.orchestration('Echo', function* (ctx) {
    yield* [];
    return ctx.getInput();
  });
  app.orchestration('CallCounter', function* (ctx) {
    const key = ctx.getInput<string>();
    yield* ctx.callEntity(counter.id(key), 'add', 2);
    const total: number = yield* ctx.callEntity(counter.id(key), 'get');
    let error = '';
    try {
      yield* ctx.callEntity(counter.id(key), 'addThenFail', 100);
    } catch (e) {
      error = e instanceof EntityOperationFailedError ? e.failure.message : 'wrong error type';
    }
    const after: number = yield* ctx.callEntity(counter.id(key), 'get');
    ctx.signalEntity(counter.id(key), 'add', 1000);
    return { total, error, after };
  });
  app.orchestration('Transfer', function* (ctx) {
    const { from, to, amount } = ctx.getInput<{ from: string; to: string; amount: number }>();
    const lock = yield* ctx.lockEntities([account.id(from), account.id(to)]);
    try {
      const balance: number = yield* ctx.callEntity(account.id(from), 'balance');
      if (balance < amount) return 'insufficient';
      yield* ctx.callEntity(account.id(from), 'withdraw', amount);
      // A durable timer inside the section: the other transfer's lock request arrives meanwhile and must wait.
      yield ctx.createTimer(new Date(ctx.currentUtcDateTime.getTime() + 50));
      // Nobody else's operation may have run on a locked account in between.
      const check: number = yield* ctx.callEntity(account.id(from), 'balance');
      if (check !== balance - amount) return `interleaved: ${balance} - ${amount} became ${check}`;
      yield* ctx.callEntity(account.id(to), 'deposit', amount);
      return 'done';
    } finally {
      lock.release();
    }
  });
  /** Locks two accounts and then fails, never releasing: the end of the execution must release them. */
  app.orchestration('LockThenFail', function* (ctx) {
    const [a, b] = ctx.getInput<[string, string]>();
    yield* ctx.lockEntities([account.id(a), account.id(b)]);
    yield* ctx.callEntity(account.id(a), 'deposit', 1);
    throw new Error('failed while holding the locks');
  });
  /** Locks and waits for an event that never comes (the test terminates it, holding or still asking for the locks). */
  app.orchestration('LockThenWait', function* (ctx) {
    const [a, b] = ctx.getInput<[string, string]>();
    yield* ctx.lockEntities([account.id(a), account.id(b)]);
    yield ctx.waitForExternalEvent('never');
  });
  /** Locks, continues as new without releasing; the next execution locks the same accounts again. */
  app.orchestration('LockThenContinue', function* (ctx) {
    const { keys, round } = ctx.getInput<{ keys: [string, string]; round: number }>();
    yield* ctx.lockEntities(keys.map((k) => account.id(k)));
    yield* ctx.callEntity(account.id(keys[0]), 'deposit', 1);
    if (round < 2) ctx.continueAsNew({ keys, round: round + 1 });
    return round;
  });
  /** Spins in one operation: the turn budget must stop it and fail only that operation. */
  app.entity('Spinner', {
    spin: (_: undefined, ctx: EntityContext<number>) => {
      ctx.setState(-1);
      for (;;) {
        // never returns
      }
    },
    add: (amount: number, ctx: EntityContext<number>) => ctx.setState((ctx.getState(() => 0) ?? 0) + amount),
  });
  app.orchestration('CallSpinner', function* (ctx) {
    try {
      yield* ctx.callEntity({ name: 'spinner', key: ctx.getInput<string>() }, 'spin');
      return 'returned';
    } catch (e) {
      return e instanceof EntityOperationFailedError ? e.failure.name : 'wrong error type';
    }
  });
  return app;
}
