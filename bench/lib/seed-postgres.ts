/**
 * @module bench/lib/seed-postgres
 * Bulk-loads completed instances into a PostgreSQL store's schema for W6,
 * with INSERT ... SELECT over generate_series, one chunk per statement.
 *
 * The PostgreSQL store's tables are read from information_schema rather
 * than hard-coded: each known column (the SQLite store's names) gets a
 * value expression cast to the column's type, and a required column this
 * loader does not know stops the run with a message instead of a guess.
 */
import pg from 'pg';
import { HELLO_CITIES } from './bench-app.ts';
import { SEED_HISTORY_LENGTH, SEED_SPACING_MS, seedHistoryRows, type HistoryLayout } from './seed-events.ts';

interface Column {
  readonly name: string;
  readonly type: string;
  readonly required: boolean;
}

const CHUNK = 50_000;

export async function seedPostgres(
  client: pg.Client,
  schema: string,
  count: number,
  before: number,
  progress: (done: number) => void,
): Promise<void> {
  const instances = await columns(client, schema, 'instances');
  const history = await columns(client, schema, 'history');
  const instanceSql = insertSql(schema, 'instances', instances, instanceValue);
  const layout: HistoryLayout = history.some((c) => c.name === 'events') ? 'commit' : 'event';
  const historySql = insertSql(schema, 'history', history, historyValue, layout);
  for (let from = 0; from < count; from += CHUNK) {
    const to = Math.min(count, from + CHUNK);
    await client.query('BEGIN');
    await client.query(instanceSql, [from, to - 1, before, count]);
    await client.query(historySql, [from, to - 1, before, count]);
    await client.query('COMMIT');
    progress(to);
  }
  await client.query(`ANALYZE ${pg.escapeIdentifier(schema)}.instances`);
  // Flush the load now, so the measured run does not pay for a checkpoint of it (needs superuser; skipped if refused).
  await client.query('CHECKPOINT').catch(() => {});
}

async function columns(client: pg.Client, schema: string, table: string): Promise<Column[]> {
  const { rows } = await client.query<{
    column_name: string;
    data_type: string;
    is_nullable: string;
    column_default: string | null;
    is_identity: string;
  }>(
    `SELECT column_name, data_type, is_nullable, column_default, is_identity FROM information_schema.columns
      WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
    [schema, table],
  );
  if (rows.length === 0)
    throw new Error(`W6 seeding: the PostgreSQL store has no table '${table}' in schema ${schema}; update bench/lib/seed-postgres.ts`);
  return rows.map((r) => ({
    name: r.column_name,
    type: r.data_type,
    required: r.is_nullable === 'NO' && r.column_default === null && r.is_identity !== 'YES',
  }));
}

/** `INSERT INTO t (known columns) SELECT exprs FROM generate_series($1, $2) AS g [, history seq]`. */
function insertSql(
  schema: string,
  table: string,
  cols: readonly Column[],
  value: (column: Column) => string | undefined,
  layout: HistoryLayout = 'event',
): string {
  const known = cols.map((c) => ({ column: c, expression: value(c) })).filter((c) => c.expression !== undefined);
  const missing = cols.filter((c) => c.required && value(c) === undefined).map((c) => c.name);
  if (missing.length > 0) {
    throw new Error(
      `W6 seeding: required column(s) ${missing.join(', ')} of PostgreSQL table '${table}' are unknown to bench/lib/seed-postgres.ts; update it`,
    );
  }
  const from =
    table === 'history'
      ? `generate_series($1::int, $2::int) AS g CROSS JOIN (${historyTemplates(layout)}) AS e(seq, template)`
      : 'generate_series($1::int, $2::int) AS g';
  return `INSERT INTO ${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(table)} (${known.map((k) => pg.escapeIdentifier(k.column.name)).join(', ')})
          SELECT ${known.map((k) => k.expression).join(', ')} FROM ${from}`;
}

const CREATED = `($3::bigint - ($4::bigint - g) * ${SEED_SPACING_MS})`;
const ID = `'seed-' || lpad(g::text, 7, '0')`;
const EXECUTION_ID = `'00000000-0000-4000-8000-' || lpad(g::text, 12, '0')`;
const OUTPUT = `json_build_array(${HELLO_CITIES.map((city) => `'Hello ${city} ' || g || '!'`).join(', ')})`;

function instanceValue(column: Column): string | undefined {
  switch (column.name) {
    case 'instance_id':
      return ID;
    case 'name':
      return `'HelloSequence'`;
    case 'execution_id':
      return cast(EXECUTION_ID, column);
    case 'runtime_status':
      return cast(`'Completed'`, column);
    case 'input':
      return json('to_json(g)', column);
    case 'output':
      return json(OUTPUT, column);
    case 'created_at':
      return time(CREATED, column);
    case 'updated_at':
    case 'completed_at':
      return time(`${CREATED} + 9`, column);
    case 'history_length':
      return String(SEED_HISTORY_LENGTH);
    default:
      return undefined;
  }
}

function historyValue(column: Column): string | undefined {
  switch (column.name) {
    case 'instance_id':
      return ID;
    case 'seq':
      return 'e.seq';
    case 'execution_id':
      return cast(EXECUTION_ID, column);
    // The template holds placeholders for the per-instance parts of each event.
    case 'event':
    case 'events':
      return json(
        `replace(replace(replace(e.template, '__N__', g::text), '__EXEC__', ${EXECUTION_ID}), '__T__', to_char(to_timestamp(${CREATED} / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))::json`,
        column,
      );
    default:
      return undefined;
  }
}

/** A seeded instance's history rows as templates: a sample instance's number stands in for `__N__`. */
function historyTemplates(layout: HistoryLayout): string {
  const sample = 7_654_321;
  const templates = seedHistoryRows(sample, 0, layout).map((row) => ({
    seq: row.seq,
    text: row.text
      .replaceAll(`00000000-0000-4000-8000-${String(sample).padStart(12, '0')}`, '__EXEC__')
      .replaceAll(String(sample), '__N__')
      .replace(/"timestamp":"[^"]+"/g, '"timestamp":"__T__"'),
  }));
  return `VALUES ${templates.map((t) => `(${t.seq}, ${pg.escapeLiteral(t.text)})`).join(', ')}`;
}

function json(expression: string, column: Column): string {
  if (column.type === 'jsonb') return `(${expression})::jsonb`;
  if (column.type === 'json') return `(${expression})::json`;
  return `(${expression})::text`;
}

function time(ms: string, column: Column): string {
  if (column.type.startsWith('timestamp')) return `to_timestamp((${ms}) / 1000.0)`;
  return `(${ms})::${column.type === 'integer' ? 'int' : 'bigint'}`;
}

function cast(expression: string, column: Column): string {
  return column.type === 'uuid' ? `(${expression})::uuid` : expression;
}
