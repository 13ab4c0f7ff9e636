import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

let root: string | undefined;

/**
 * The folder holding this project's package.json. Modules run from `src/` under tsx and from `dist/src/` once
 * compiled, at different depths, so default paths (`.temporal/`, the workflow bundle) start here rather than at a
 * fixed number of `..` from `__dirname`.
 */
export function projectRoot(): string {
  if (root) return root;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return (root = dir);
    if (dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
  }
}
