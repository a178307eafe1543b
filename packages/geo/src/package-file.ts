import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * A file shipped inside a workspace package, found through module resolution rather than
 * a path relative to the calling file, so it is found both from the sources and from the
 * bundled `airbox` command (cli/dist).
 */
export function packageFile(from: string | URL, pkg: string, relative: string): string {
  return join(dirname(createRequire(from).resolve(`${pkg}/package.json`)), relative);
}
