/**
 * @module cli/glob
 * The file glob of an Azure Functions app's `package.json` `main`
 * (`src/functions/*.js`, `dist/src/{index.js,functions/*.js}`), matched
 * against the app's files. Node 20 has no fs.glob, and the patterns used are
 * few: `*`, `?`, `**`, `[...]` and `{a,b}`.
 *
 * What must hold:
 * - `*` and `?` never cross a `/`; `**` matches any number of folders.
 * - `node_modules` and dot-folders are never searched.
 * - Matches are returned sorted, so functions register in a stable order.
 */
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const GLOB_CHARS = /[*?[{]/;

export function isGlob(pattern: string): boolean {
  return GLOB_CHARS.test(pattern);
}

/** The regular expression for a glob over `/`-separated relative paths. */
export function globToRegExp(pattern: string): RegExp {
  return new RegExp(`^${translate(pattern.replace(/^\.\//, ''))}$`);
}

function translate(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i]!;
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        const slash = pattern[i + 2] === '/';
        out += slash ? '(?:[^/]+/)*' : '.*';
        i += slash ? 2 : 1;
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) out += '\\[';
      else {
        const body = pattern
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\');
        out += `[${body}]`;
        i = end;
      }
    } else if (c === '{') {
      const end = closingBrace(pattern, i);
      if (end < 0) out += '\\{';
      else {
        out += `(?:${splitAlternatives(pattern.slice(i + 1, end))
          .map(translate)
          .join('|')})`;
        i = end;
      }
    } else out += c.replace(/[.+^$()|\\\]}]/g, '\\$&');
  }
  return out;
}

function closingBrace(pattern: string, open: number): number {
  let depth = 0;
  for (let i = open; i < pattern.length; i += 1) {
    if (pattern[i] === '{') depth += 1;
    else if (pattern[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function splitAlternatives(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i += 1) {
    if (body[i] === '{') depth += 1;
    else if (body[i] === '}') depth -= 1;
    else if (body[i] === ',' && depth === 0) {
      parts.push(body.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(body.slice(start));
  return parts;
}

/** The files under `root` whose path relative to it matches `pattern`, as absolute paths, sorted. */
export function expandGlob(root: string, pattern: string): string[] {
  const normalized = pattern.replace(/\\/g, '/').replace(/^\.\//, '');
  const matcher = globToRegExp(normalized);
  const fixed = normalized.split('/');
  const firstGlob = fixed.findIndex((segment) => isGlob(segment));
  const base = join(root, ...fixed.slice(0, firstGlob < 0 ? fixed.length - 1 : firstGlob));
  const found: string[] = [];
  for (const file of walk(base)) {
    const path = relative(root, file).split(sep).join('/');
    if (matcher.test(path)) found.push(file);
  }
  return found.sort();
}

function* walk(dir: string): Generator<string> {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return; // The fixed part of the pattern names no folder: nothing matches.
  }
  for (const entry of entries) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}
