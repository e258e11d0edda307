/**
 * @module dashboard/bundle
 * Puts the dashboard's browser modules and the vendored UI library into one
 * script: each module, rewritten by module-rewrite.ts, becomes a function
 * that runs once, in dependency order, and hands its exports to the modules
 * after it. One file is one request: the browser no longer waits for
 * fifteen modules, which arrived about 300 ms after the page on a fresh load.
 *
 * Why not a bundler: esbuild is in node_modules only as tsx's dependency,
 * not one of ours, and the dashboard's modules use a handful of import and
 * export forms, which module-rewrite.ts covers and checks.
 *
 * What must hold:
 * - Modules are named by the URLs they had when served one by one
 *   (`/dashboard/assets/x.js`, `/dashboard/vendor/x.js`), and specifiers
 *   resolve against them as a browser would.
 * - Every imported name is one the imported module exports, no module
 *   imports itself through a cycle, and the result compiles: otherwise the
 *   bundle is refused with the module named (a build error, never a broken page).
 */
import { Script } from 'node:vm';
import { ModuleRewriteError, rewriteModule, type RewrittenModule } from './module-rewrite.ts';

/** A module's text by its URL path, or undefined when there is no such module. */
export type ModuleSource = (path: string) => string | undefined;

const ORIGIN = 'http://dashboard.invalid';

interface Loaded extends RewrittenModule {
  readonly path: string;
  readonly variable: string;
  readonly dependencies: readonly string[];
}

/** The one script that runs `entry` (a URL path such as `/dashboard/assets/app.js`) and everything it imports. */
export function bundleModules(entry: string, source: ModuleSource, header = ''): string {
  const order = loadInOrder(entry, source);
  const byPath = new Map(order.map((module) => [module.path, module]));
  const parts = order.map((module) => wrap(module, byPath));
  const text = `${header}${parts.join('\n')}\n`;
  try {
    // A statement module-rewrite.ts did not take out is a syntax error here.
    new Script(`'use strict';\n${text}`, { filename: entry });
  } catch (error) {
    throw new ModuleRewriteError(entry, `the bundle does not compile: ${(error as Error).message}`);
  }
  return text;
}

/** Depth-first from the entry: every module after the modules it imports. */
function loadInOrder(entry: string, source: ModuleSource): Loaded[] {
  const done = new Map<string, Loaded>();
  const visiting = new Set<string>();
  const visit = (path: string, from: string) => {
    if (done.has(path)) return;
    if (visiting.has(path)) throw new ModuleRewriteError(from, `imports ${path} in a cycle`);
    const text = source(path);
    if (text === undefined) throw new ModuleRewriteError(from, `imports ${path}, which does not exist`);
    visiting.add(path);
    const rewritten = rewriteModule(path, text);
    const dependencies = rewritten.imports.map((i) => new URL(i.specifier, `${ORIGIN}${path}`).pathname);
    for (const dependency of dependencies) visit(dependency, path);
    visiting.delete(path);
    done.set(path, { ...rewritten, path, dependencies, variable: `__perdure_m${done.size}` });
  };
  visit(entry, entry);
  return [...done.values()];
}

function wrap(module: Loaded, byPath: ReadonlyMap<string, Loaded>): string {
  const imports = module.imports.map((i, n) => bindImports(module.path, byPath.get(module.dependencies[n]!)!, i.bindings));
  const exports = [...module.exports].map(([exported, local]) => `${JSON.stringify(exported)}: ${local}`);
  return [
    `// ${module.path}`,
    `const ${module.variable} = (() => {`,
    ...imports,
    module.body.trimEnd(),
    `;return { ${exports.join(', ')} };`,
    '})();',
  ].join('\n');
}

function bindImports(path: string, from: Loaded, bindings: ReadonlyMap<string, string>): string {
  const lines: string[] = [];
  const named: string[] = [];
  for (const [local, exported] of bindings) {
    if (exported === '*') {
      lines.push(`const ${local} = ${from.variable};`);
      continue;
    }
    if (!from.exports.has(exported)) throw new ModuleRewriteError(path, `imports '${exported}', which ${from.path} does not export`);
    named.push(`${JSON.stringify(exported)}: ${local}`);
  }
  if (named.length > 0) lines.push(`const { ${named.join(', ')} } = ${from.variable};`);
  return lines.join('\n');
}
