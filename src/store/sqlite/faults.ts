/**
 * @module sqlite/faults
 * Tells an outage of the SQLite file (disk full, read-only, corrupt, I/O
 * error, cannot open, locked past the busy timeout) from a bug, and turns it into a StoreUnavailableError
 * that names the file and the cause.
 *
 * What must hold:
 * - Every extended result code belongs to its primary code's family
 *   (`SQLITE_IOERR_FSYNC` is an I/O error, `SQLITE_READONLY_DBMOVED` is read-only).
 * - Errors of the file system met while preparing the file (mkdir, stat,
 *   create) are classified the same way, by errno.
 * - Anything else (a constraint, a bug) passes through unchanged, so it stays a 500.
 */
import { StoreUnavailableError, type StoreFaultReason } from '../../model/errors.ts';

const SQLITE_FAMILIES: readonly (readonly [prefix: string, reason: StoreFaultReason])[] = [
  ['SQLITE_FULL', 'full'],
  ['SQLITE_READONLY', 'readOnly'],
  ['SQLITE_CORRUPT', 'corrupt'],
  ['SQLITE_NOTADB', 'corrupt'],
  ['SQLITE_IOERR', 'io'],
  ['SQLITE_CANTOPEN', 'unreachable'],
  ['SQLITE_PERM', 'readOnly'],
  // Another connection (often another process) held the write lock past the busy timeout: a blip, not a bug.
  ['SQLITE_BUSY', 'busy'],
  ['SQLITE_LOCKED', 'busy'],
];

const ERRNO_REASONS: Readonly<Record<string, StoreFaultReason>> = {
  ENOSPC: 'full',
  EDQUOT: 'full',
  EROFS: 'readOnly',
  EACCES: 'readOnly',
  EPERM: 'readOnly',
  EIO: 'io',
  ENOENT: 'unreachable',
  ENOTDIR: 'unreachable',
};

const CAUSES: Readonly<Record<StoreFaultReason, string>> = {
  full: 'the disk is full',
  readOnly: 'the file or its directory is read-only',
  corrupt: 'the file is corrupt or not a SQLite database',
  io: 'the disk reported an I/O error',
  unreachable: 'the file cannot be opened',
  busy: 'another connection held its write lock longer than the busy timeout',
};

/** The fault `error` stands for, if it is one. */
export function sqliteFaultReason(error: unknown): StoreFaultReason | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  if (code.startsWith('SQLITE_')) return SQLITE_FAMILIES.find(([prefix]) => code === prefix || code.startsWith(`${prefix}_`))?.[1];
  return ERRNO_REASONS[code];
}

/** `error` as a StoreUnavailableError naming the store, when it is a fault of the file; otherwise `error` itself. */
export function toStoreFault(error: unknown, description: string): unknown {
  if (error instanceof StoreUnavailableError) return error;
  const reason = sqliteFaultReason(error);
  if (reason === undefined) return error;
  return storeFault(description, reason, (error as Error).message, error);
}

/** A one-line StoreUnavailableError: the store, the cause in words, and the driver's own words. */
export function storeFault(description: string, reason: StoreFaultReason, detail: string, cause?: unknown): StoreUnavailableError {
  return new StoreUnavailableError(`The store ${description} is unavailable: ${CAUSES[reason]} (${oneLine(detail)}).`, { reason, cause });
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
