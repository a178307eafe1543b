export {
  archiveDay,
  archivedDays,
  ArchiveError,
  type ArchiveDayOptions,
  type ArchiveDayResult,
} from './archive-day.ts';
export { dayRange, manifestPath, LAYOUT_VERSION } from './layout.ts';
export type { ArchiveFile, DayManifest } from './manifest.ts';
