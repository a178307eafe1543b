/**
 * The offline buffer's files: append-only segments (`seg-<first seq>.jsonl`, one JSON
 * reading per line) and a small state file replaced atomically. Every write that must
 * survive power loss is followed by an fsync of the file and, when a name was created or
 * replaced, of the directory (POSIX: a new directory entry is durable only after that).
 */
import { open, readFile, readdir, rename, truncate, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

const SEGMENT_NAME = /^seg-(\d{16})\.jsonl$/;
export const STATE_FILE = 'state.json';

export function segmentName(firstSeq: number): string {
  return `seg-${String(firstSeq).padStart(16, '0')}.jsonl`;
}

/** The segments in `dir`, oldest first, with the sequence number of their first line. */
export async function listSegments(dir: string): Promise<{ name: string; firstSeq: number }[]> {
  const segments: { name: string; firstSeq: number }[] = [];
  for (const name of await readdir(dir)) {
    const match = SEGMENT_NAME.exec(name);
    if (match?.[1] !== undefined) segments.push({ name, firstSeq: Number(match[1]) });
  }
  return segments.sort((a, b) => a.firstSeq - b.firstSeq);
}

/**
 * The complete lines of a segment. A last line without its newline was torn by a crash
 * mid-write: it was never reported as stored, so it is cut off (and the cut made durable)
 * so that the next append starts on a clean line.
 */
export async function readSegment(path: string): Promise<{ lines: string[]; tornBytes: number }> {
  const bytes = await readFile(path);
  const end = bytes.lastIndexOf(0x0a) + 1;
  const tornBytes = bytes.length - end;
  if (tornBytes > 0) {
    await truncate(path, end);
    await fsyncFile(path);
  }
  const text = bytes.subarray(0, end).toString('utf8');
  const lines = text === '' ? [] : text.slice(0, -1).split('\n');
  return { lines, tornBytes };
}

export async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes created, renamed and deleted names in `dir` durable (Linux: fsync on the dir). */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Replaces `name` in `dir` so that a crash leaves either the old or the new content. */
export async function writeFileAtomic(dir: string, name: string, text: string): Promise<void> {
  const tmp = join(dir, `${name}.tmp`);
  await writeFile(tmp, text);
  await fsyncFile(tmp);
  await rename(tmp, join(dir, name));
  await fsyncDir(dir);
}

export async function removeFile(path: string): Promise<void> {
  await unlink(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw e;
  });
}

/**
 * What survives between runs besides the readings: every sequence number below `headSeq`
 * is gone (acknowledged or dropped), and how many were dropped for the bound in total.
 */
export const BufferStateSchema = z.object({
  v: z.literal(1),
  headSeq: z.int().min(0),
  droppedReadings: z.int().min(0),
});
export type BufferState = z.infer<typeof BufferStateSchema>;

/** The saved state, `null` when there is none yet, `'corrupt'` when it does not parse. */
export async function readState(dir: string): Promise<BufferState | null | 'corrupt'> {
  let text: string;
  try {
    text = await readFile(join(dir, STATE_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    const parsed = BufferStateSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : 'corrupt';
  } catch {
    return 'corrupt';
  }
}
