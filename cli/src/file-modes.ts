import { isMainThread } from 'node:worker_threads';

/**
 * Files airbox creates are not for other users: the data dir holds the device registry's
 * password hashes, the readings, the dead letters (payloads as sent), the broker's sessions
 * and the calibration data. Node creates files 0666 & ~umask and folders 0777 & ~umask, so
 * one umask covers SQLite, LevelDB, the spill and every CSV: with the usual inherited 022
 * they would be 0644, world-readable.
 */
const PRIVATE_UMASK = 0o077;
/** The umask bits that keep "others" out. */
const OTHERS = 0o007;

/**
 * Sets the process umask to 077 (files 0600, folders 0700) unless the inherited one already
 * keeps others out: that was chosen, e.g. the systemd units' UMask=0027 (deploy/single),
 * which lets the airbox group read. A worker thread cannot set the umask (tests may run
 * main in one); it keeps its process's.
 */
export function restrictNewFiles(): void {
  if (!isMainThread) return;
  const inherited = process.umask(PRIVATE_UMASK);
  if ((inherited & OTHERS) === OTHERS) process.umask(inherited);
}
