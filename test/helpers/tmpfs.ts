/**
 * @module test/helpers/tmpfs
 * A small tmpfs of its own, for tests that need a disk that fills up or a
 * file system that is read-only for real (root ignores file modes, not a
 * read-only mount). Mounting needs root and a kernel that allows it: when it
 * does not, `mountTmpfs` returns the reason, and the test skips saying it.
 *
 *   const mounted = mountTmpfs(2 * 1024 * 1024);
 *   if (typeof mounted === 'string') return t.skip(mounted);
 *   using fs = mounted;
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeSync, openSync, closeSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Tmpfs extends Disposable {
  readonly path: string;
  file(name: string): string;
  /** Remounts read-only (fails with EBUSY while a file on it is open for writing). */
  readOnly(): void;
  /** Writes a file until the file system is full; returns a function that frees the space again. */
  fill(): () => void;
}

export function mountTmpfs(sizeBytes: number): Tmpfs | string {
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  const path = mkdtempSync(join(tmpdir(), 'perdure-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0777`, 'tmpfs', path], { stdio: 'pipe' });
  } catch (error) {
    rmSync(path, { recursive: true, force: true });
    return `cannot mount a tmpfs here: ${String((error as { stderr?: unknown }).stderr ?? error).trim()}`;
  }
  return {
    path,
    file: (name) => join(path, name),
    readOnly: () => void execFileSync('mount', ['-o', 'remount,ro', path], { stdio: 'pipe' }),
    fill: () => {
      const filler = join(path, `filler-${process.pid}`);
      const fd = openSync(filler, 'w');
      const chunk = Buffer.alloc(16 * 1024, 1);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      } finally {
        closeSync(fd);
      }
      return () => unlinkSync(filler);
    },
    [Symbol.dispose]: () => {
      execFileSync('umount', ['-l', path], { stdio: 'pipe' });
      rmSync(path, { recursive: true, force: true });
    },
  };
}
