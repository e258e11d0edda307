/**
 * @module postgres/faults
 * Tells an outage of the PostgreSQL database (disk full, read-only, corrupt
 * data, I/O error, out of resources) from a bug, by SQLSTATE, and turns it
 * into a StoreUnavailableError naming the store (never its credentials).
 *
 * What must hold:
 * - Only server-side conditions an operator must fix are mapped; a
 *   constraint violation or a syntax error stays what it is (a bug, a 500).
 * - Connection errors are not decided here: database.ts retries them for the
 *   reconnect window first, then reports them as `unreachable`.
 */
import { StoreUnavailableError, type StoreFaultReason } from '../../model/errors.ts';

/** Exact SQLSTATEs first, then classes (the first two characters). */
const STATES: Readonly<Record<string, StoreFaultReason>> = {
  '53100': 'full', // disk_full
  '25006': 'readOnly', // read_only_sql_transaction (also a hot standby after a failover)
  '42501': 'readOnly', // insufficient_privilege: the role may not write the store's tables
  XX001: 'corrupt', // data_corrupted
  XX002: 'corrupt', // index_corrupted
  '58030': 'io', // io_error
  '58000': 'io', // system_error
  '58P01': 'io', // undefined_file: a data file is missing
  '55P03': 'busy', // lock_not_available: a lock_timeout set on the role or database ran out
};
const CLASSES: Readonly<Record<string, StoreFaultReason>> = {
  '53': 'unreachable', // insufficient_resources: out of memory, too many connections, ...
};

const CAUSES: Readonly<Record<StoreFaultReason, string>> = {
  full: "the server's disk is full",
  readOnly: 'the database refuses writes',
  corrupt: 'the server reports corrupt data',
  io: 'the server reported an I/O error',
  unreachable: 'the server is out of resources',
  busy: 'a lock could not be taken within the lock timeout',
};

export function postgresFaultReason(error: unknown): StoreFaultReason | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || code.length !== 5) return undefined;
  return STATES[code] ?? CLASSES[code.slice(0, 2)];
}

/** `error` as a StoreUnavailableError when its SQLSTATE is a fault of the database; otherwise undefined. */
export function toPostgresFault(error: unknown, description: string): StoreUnavailableError | undefined {
  if (error instanceof StoreUnavailableError) return error;
  const reason = postgresFaultReason(error);
  if (reason === undefined) return undefined;
  const { code, message } = error as { code: string; message: string };
  return new StoreUnavailableError(`The store ${description} is unavailable: ${CAUSES[reason]} (SQLSTATE ${code}: ${message}).`, {
    reason,
    cause: error,
  });
}
