import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The project's shared real-data folder (`../shared/data` beside the repository). Some of
 * its files are GPL-3 or carry no licence, so they are not copied into the project: tests
 * that read them skip, saying why, where the folder is absent (a fresh clone).
 */
const SHARED_DATA = fileURLToPath(new URL('../../../../shared/data/', import.meta.url));

export interface SharedFile {
  /** Absolute path, or null when the file is not there. */
  path: string | null;
  /** Why a test that needs it is skipped; empty when it is there. */
  skipReason: string;
}

export function sharedData(relative: string, licence: string): SharedFile {
  const path = SHARED_DATA + relative;
  if (existsSync(path)) return { path, skipReason: '' };
  const skipReason = `skipped: ${relative} (${licence}, not copied into the project) is not at ${SHARED_DATA}`;
  console.warn(skipReason);
  return { path: null, skipReason };
}
