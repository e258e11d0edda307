/**
 * @module examples/entities
 * Durable entities: a counter, and bank accounts with a transfer that runs
 * as a critical section.
 *
 * - `POST /api/counter/{key}` adds the JSON body (default 1) by a signal;
 *   `GET /api/counter/{key}` reads the committed value.
 * - `POST /api/orchestrators/Transfer/{id}` with `{ from, to, amount }`
 *   locks both accounts, checks the balance and moves the money: while it
 *   holds the locks, no other operation reaches either account, so two
 *   transfers in opposite directions cannot interleave, and locks taken in
 *   one global order mean they cannot deadlock either.
 */
import { app, type EntityContext } from 'perdure';
import { readOptionalJson } from './http-input.ts';

export const counter = app.entity('counter', {
  add: (amount: number, ctx: EntityContext<number>) => ctx.setState((ctx.getState(() => 0) ?? 0) + amount),
  get: (_: undefined, ctx: EntityContext<number>) => ctx.getState(() => 0) ?? 0,
  reset: (_: undefined, ctx: EntityContext<number>) => ctx.deleteState(),
});

export const account = app.entity('account', {
  deposit: (amount: number, ctx: EntityContext<number>) => ctx.setState((ctx.getState(() => 0) ?? 0) + amount),
  withdraw: (amount: number, ctx: EntityContext<number>) => {
    const balance = ctx.getState(() => 0) ?? 0;
    // Throwing rolls this operation back; the caller gets EntityOperationFailedError.
    if (amount > balance) throw new Error(`insufficient funds: ${balance} < ${amount}`);
    ctx.setState(balance - amount);
  },
  balance: (_: undefined, ctx: EntityContext<number>) => ctx.getState(() => 0) ?? 0,
});

export const transfer = app.orchestration('Transfer', function* (ctx) {
  const { from, to, amount } = ctx.getInput<{ from: string; to: string; amount: number }>();
  const lock = yield* ctx.lockEntities([account.id(from), account.id(to)]);
  try {
    const balance = yield* ctx.callEntity(account.id(from), 'balance');
    if (balance < amount) return { transferred: false, balance };
    yield* ctx.callEntity(account.id(from), 'withdraw', amount);
    yield* ctx.callEntity(account.id(to), 'deposit', amount);
    return { transferred: true, balance: balance - amount };
  } finally {
    lock.release();
  }
});

app.http('Counter', {
  methods: ['GET', 'POST'],
  route: 'counter/{key}',
  handler: async (request, { params, client }) => {
    const id = counter.id(params.key ?? '');
    if (request.method === 'GET') return (await client.readEntityState<number>(id)).state ?? 0;
    const amount = await readOptionalJson(request);
    await client.signalEntity(id, 'add', typeof amount === 'number' ? amount : 1);
    return new Response(null, { status: 202 });
  },
});
