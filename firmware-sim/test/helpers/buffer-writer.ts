/**
 * Child process for the crash test: appends numbered readings as fast as it can and prints
 * each number only after `append` resolved (fsync'd), until the parent kills it with SIGKILL.
 * Usage: node --import tsx buffer-writer.ts <dir>
 */
import { OfflineBuffer } from '../../src/device/offline-buffer.ts';
import { decodeNumbered, numbered } from './numbered.ts';

const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: buffer-writer.ts <dir>');
const buffer = await OfflineBuffer.open({ dir, maxReadings: 100_000, decode: decodeNumbered });
for (let i = 0; ; i++) {
  await buffer.append([numbered(i)]);
  process.stdout.write(`${i}\n`);
}
