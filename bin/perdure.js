#!/usr/bin/env node
// The `perdure` command. The package ships TypeScript sources, so this
// launcher registers tsx's ESM loader first, then runs the CLI.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
