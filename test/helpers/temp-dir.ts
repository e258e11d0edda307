/**
 * @module test/helpers/temp-dir
 * A fresh directory under the OS temp dir, removed on dispose, so tests that
 * write files never share or leak state: `using dir = createTempDir('x-')`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempDir extends Disposable {
  readonly path: string;
  /** A path inside the directory. */
  file(name: string): string;
}

export function createTempDir(prefix = 'perdure-test-'): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return {
    path,
    file: (name) => join(path, name),
    [Symbol.dispose]: () => rmSync(path, { recursive: true, force: true }),
  };
}
