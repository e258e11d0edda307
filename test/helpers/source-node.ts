/**
 * @module test/helpers/source-node
 * How a test runs a child Node process on the repository's TypeScript
 * sources: tsx as the loader, and this repository's tsconfig, whose `paths`
 * map `perdure` and its subpaths to `src/`. tsx reads the tsconfig of the
 * working directory, and children often run in a temporary one, so it is
 * named explicitly.
 */
import { fileURLToPath } from 'node:url';

const TSX = import.meta.resolve('tsx');
const TSCONFIG = fileURLToPath(new URL('../../tsconfig.json', import.meta.url));

/** Node flags that load TypeScript sources. */
export const SOURCE_NODE_ARGS: readonly string[] = ['--import', TSX];

/** Environment for such a child: `perdure` resolves to the sources. */
export function sourceNodeEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...base, TSX_TSCONFIG_PATH: TSCONFIG };
}
