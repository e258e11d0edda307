/**
 * @module sqlite/store-file
 * Owns the store file on disk before and right after SQLite opens it: where
 * it is created, with which permissions, and what is refused.
 *
 * What must hold:
 * - A missing file is created whole or not at all: a fresh database is built
 *   under a temporary name, private (0600), already in WAL mode, and linked
 *   into place only if no file is there yet (link fails on an existing name),
 *   so processes racing to create it all end up opening the same, valid file.
 *   Perdure therefore never leaves an empty file at the store's path.
 * - So a zero-byte file at the store's path was not made by Perdure (a failed
 *   copy, a truncation, a `touch`): it is refused, never silently taken for a
 *   new, empty store, which would hide that its instances are gone.
 * - The directory is created 0700 and files 0600 (SQLite gives the -wal and
 *   -shm files the database file's permissions); existing directories and
 *   files keep theirs.
 * - Opening runs `PRAGMA quick_check` (on files up to a size, since it reads
 *   the whole file): a file that fails it is refused with the problems it
 *   reports.
 */
import { accessSync, closeSync, constants, existsSync, fchmodSync, linkSync, mkdirSync, openSync, statSync, unlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { StoreUnavailableError } from '../../model/errors.ts';
import { storeFault, toStoreFault } from './faults.ts';

const PRIVATE_DIRECTORY = 0o700;
const PRIVATE_FILE = 0o600;

/** Creates the file if missing, refuses an empty one; throws StoreUnavailableError naming `description`. */
export function prepareStoreFile(path: string, description: string): void {
  try {
    makeDirectory(dirname(path));
    const size = fileSize(path);
    if (size === undefined) createStoreFile(path);
    else if (size === 0) throw emptyFile(path, description);
    else assertWritable(path);
  } catch (error) {
    throw toStoreFault(error, description);
  }
}

export const DEFAULT_QUICK_CHECK_MAX_BYTES = 256 * 1024 * 1024;

/** What a soundness check needs of the connection. */
export interface CheckedFile {
  pragma(source: string): unknown;
  /** The names of the file's tables. */
  tables(): string[];
  /** Reads one row of `table`, so its root page is read and parsed. */
  touch(table: string): void;
}

/**
 * Throws StoreUnavailableError (`corrupt`) unless the file looks sound:
 * `PRAGMA quick_check` for a file up to `quickCheckMaxBytes`, else a read of
 * every table's first row (quick_check reads the whole file; a corrupt page
 * it would have found is then reported by the first statement that reads it).
 */
export function assertSoundFile(path: string, file: CheckedFile, description: string, quickCheckMaxBytes: number): void {
  if (statSync(path).size <= quickCheckMaxBytes) {
    const result = file.pragma('quick_check');
    if (result !== 'ok') throw storeFault(description, 'corrupt', `quick_check: ${String(result)}`);
    return;
  }
  for (const table of file.tables()) file.touch(table);
}

/**
 * A recursive mkdir reports ENOENT when it cannot create a level (a read-only
 * file system, no permission); ask the nearest existing ancestor for the real cause.
 */
function makeDirectory(directory: string): void {
  try {
    mkdirSync(directory, { recursive: true, mode: PRIVATE_DIRECTORY });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    let ancestor = dirname(directory);
    while (!existsSync(ancestor) && dirname(ancestor) !== ancestor) ancestor = dirname(ancestor);
    accessSync(ancestor, constants.W_OK);
    throw error;
  }
}

function fileSize(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * SQLite opens a file it may not write read-only without a word, and on a
 * read-only mount it cannot create the -shm file and reports only "unable to
 * open": ask the OS first, so the cause is named (EROFS, EACCES: read-only).
 */
function assertWritable(path: string): void {
  accessSync(path, constants.R_OK | constants.W_OK);
  if (!existsSync(`${path}-wal`)) accessSync(dirname(path), constants.W_OK);
}

function createStoreFile(path: string): void {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.new`;
  const fd = openSync(temporary, 'wx', PRIVATE_FILE);
  try {
    // The umask may have taken bits off the mode given to open; say it again.
    fchmodSync(fd, PRIVATE_FILE);
  } finally {
    closeSync(fd);
  }
  try {
    const db = new Database(temporary);
    try {
      // Switching to WAL writes the header page: the file is a database from now on, never empty.
      db.pragma('journal_mode = WAL');
    } finally {
      db.close();
    }
    linkSync(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Another process created it first: open theirs.
  } finally {
    unlinkSync(temporary);
  }
}

function emptyFile(path: string, description: string): StoreUnavailableError {
  return new StoreUnavailableError(
    `The store ${description} is unavailable: the file '${path}' is empty (0 bytes). Perdure never leaves an empty store file, ` +
      'so its contents were lost or it is not a store; restore it from a backup, or delete it to start with an empty store.',
    { reason: 'corrupt' },
  );
}
