/**
 * @module dashboard/module-rewrite
 * Turns one ES module's text into the body of a function: its imports
 * become reads of modules evaluated before it, and its exports one object
 * it returns. bundle.ts puts the dashboard's modules together this way, so
 * the browser loads one file instead of fifteen.
 *
 * It understands the statement forms the dashboard's modules and the
 * vendored Preact and htm builds use, and no others:
 * `import { a, b as c } from 'x'`, `import d from 'x'`, `import * as n from 'x'`,
 * `export function|async function|class|const f`, `export { a as b }` (no
 * `from`), and `export default <expression>`.
 *
 * What must hold:
 * - A statement it does not understand is left in place, where it is a
 *   syntax error in the function body: bundle.ts compiles the result and
 *   refuses it, so nothing is silently dropped.
 * - `export let` and `export var` are refused: exports are read once, when
 *   the module has run, so a binding reassigned later would go stale.
 * - A statement is recognised only where one starts (file start, after a
 *   newline, `;` or `}`), never inside an expression.
 */

/** One import statement: where from, and which local names take which exported names. */
export interface ModuleImport {
  readonly specifier: string;
  /** local name → exported name (`*` for the whole namespace). */
  readonly bindings: ReadonlyMap<string, string>;
}

export interface RewrittenModule {
  readonly imports: readonly ModuleImport[];
  /** exported name → local name. */
  readonly exports: ReadonlyMap<string, string>;
  /** The module's text with its import and export statements taken out or reduced to declarations. */
  readonly body: string;
}

const START = String.raw`(^|[\n;}])([ \t]*)`;
const IMPORT = new RegExp(String.raw`${START}import\s*(\{[^}]*\}|\*\s*as\s+[\w$]+|[\w$]+)\s*from\s*(["'])([^"'\n]+)\4[ \t]*;?`, 'g');
const EXPORT_LIST = new RegExp(String.raw`${START}export\s*\{([^}]*)\}(?!\s*from)[ \t]*;?`, 'g');
const EXPORT_DECLARATION = new RegExp(String.raw`${START}export\s+((?:async\s+)?function\*?|class|const)\s+([\w$]+)`, 'g');
const EXPORT_DEFAULT = new RegExp(String.raw`${START}export\s+default\s+`, 'g');
const EXPORT_MUTABLE = new RegExp(String.raw`${START}export\s+(let|var)\s`);
const DEFAULT_LOCAL = '__default';

export class ModuleRewriteError extends Error {
  constructor(module: string, message: string) {
    super(`${module}: ${message}`);
    this.name = 'ModuleRewriteError';
  }
}

/** Rewrites `text` (the module called `name`, for error messages). */
export function rewriteModule(name: string, text: string): RewrittenModule {
  if (EXPORT_MUTABLE.test(text))
    throw new ModuleRewriteError(name, '`export let` / `export var` cannot be bundled (exports are read once)');
  const imports: ModuleImport[] = [];
  const exports = new Map<string, string>();
  const addExport = (exported: string, local: string) => {
    if (exports.has(exported)) throw new ModuleRewriteError(name, `exports '${exported}' twice`);
    exports.set(exported, local);
  };
  let body = text.replace(IMPORT, (_all, start: string, indent: string, clause: string, _q, specifier: string) => {
    imports.push({ specifier, bindings: importBindings(name, clause) });
    return `${start}${indent}`;
  });
  body = body.replace(EXPORT_LIST, (_all, start: string, indent: string, list: string) => {
    for (const [local, exported] of exportList(name, list)) addExport(exported, local);
    return `${start}${indent}`;
  });
  body = body.replace(EXPORT_DECLARATION, (_all, start: string, indent: string, kind: string, local: string) => {
    addExport(local, local);
    return `${start}${indent}${kind} ${local}`;
  });
  body = body.replace(EXPORT_DEFAULT, (_all, start: string, indent: string) => {
    addExport('default', DEFAULT_LOCAL);
    return `${start}${indent}const ${DEFAULT_LOCAL} = `;
  });
  return { imports, exports, body: body.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n') };
}

/** `{ a, b as c }` → a→a, c→b; `d` → d→default; `* as n` → n→*. */
function importBindings(module: string, clause: string): Map<string, string> {
  const namespace = /^\*\s*as\s+([\w$]+)$/.exec(clause);
  if (namespace) return new Map([[namespace[1]!, '*']]);
  if (!clause.startsWith('{')) return new Map([[clause, 'default']]);
  return new Map(exportList(module, clause.slice(1, -1)).map(([imported, local]) => [local, imported]));
}

/** `a, b as c` → [a, a], [b, c]: the first name and the name it goes by. */
function exportList(module: string, list: string): [string, string][] {
  const names = list
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  return names.map((part) => {
    const match = /^([\w$]+)(?:\s+as\s+([\w$]+))?$/.exec(part);
    if (!match) throw new ModuleRewriteError(module, `cannot read the binding '${part}'`);
    return [match[1]!, match[2] ?? match[1]!];
  });
}
