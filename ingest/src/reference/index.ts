export {
  stationDeviceId,
  normalizeZhName,
  StationIndex,
  type ReferenceStation,
} from './stations.ts';
export { REFERENCE_FORMATS, REFERENCE_APPS } from './format.ts';
export {
  REFERENCE_PROBLEMS,
  ReferenceFileError,
  type ReferenceProblemCode,
  type RecordProblem,
  type ParsedReference,
} from './problems.ts';
export { parseTaipeiHour } from './reading.ts';
export { parseMoenvHourly, isMoenvDocument, type MoenvShape } from './moenv.ts';
export {
  stationsFromSiteList,
  checkSiteList,
  type SiteList,
  type SiteListCheck,
} from './site-list.ts';
export { parseReferenceCsv, CSV_COLUMNS, MAX_PLAUSIBLE_MEDIAN_UGM3 } from './csv.ts';
export { parseLassEpa } from './lass.ts';
export {
  importReferenceFile,
  REFERENCE_FILE_FORMATS,
  type ReferenceFileFormat,
  type ImportOptions,
  type ImportSummary,
} from './import.ts';
export {
  startReferenceFeed,
  feedUrls,
  MOENV_AQX_URL,
  type ReferenceFeed,
  type ReferenceFeedOptions,
  type ReferenceFeedCounters,
  type FeedLog,
} from './feed.ts';
