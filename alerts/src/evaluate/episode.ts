/**
 * The hysteresis of one watched value (a box, an area): an episode starts once the condition
 * has held for `onForMs` and ends once its opposite has held for `offForMs`. Exactly one
 * 'alert' per episode and one 'clear' after it, whatever the readings do meanwhile.
 */
export interface EpisodeState {
  phase: 'quiet' | 'rising' | 'active' | 'falling';
  /** When the current phase's condition started holding (ms); null when quiet. */
  sinceMs: number | null;
  /** ISO start of the ongoing episode: part of its events' idempotency keys. */
  episodeStart: string | null;
}

/** 'on': in alert territory; 'off': clear territory; 'between': neither (the hysteresis band). */
export type Condition = 'on' | 'off' | 'between';

export const QUIET: EpisodeState = { phase: 'quiet', sinceMs: null, episodeStart: null };

export function stepEpisode(
  s: EpisodeState,
  condition: Condition,
  atMs: number,
  onForMs: number,
  offForMs: number,
): { state: EpisodeState; fired: 'alert' | 'clear' | null } {
  const stay = { state: s, fired: null };
  switch (s.phase) {
    case 'quiet':
    case 'rising': {
      if (condition !== 'on') return s.phase === 'quiet' ? stay : { state: QUIET, fired: null };
      const since = s.phase === 'rising' ? s.sinceMs! : atMs;
      if (atMs - since < onForMs)
        return { state: { ...QUIET, phase: 'rising', sinceMs: since }, fired: null };
      const episodeStart = new Date(since).toISOString();
      return { state: { phase: 'active', sinceMs: since, episodeStart }, fired: 'alert' };
    }
    case 'active':
    case 'falling': {
      if (condition !== 'off') {
        return s.phase === 'active' ? stay : { state: { ...s, phase: 'active' }, fired: null };
      }
      const since = s.phase === 'falling' ? s.sinceMs! : atMs;
      if (atMs - since < offForMs)
        return { state: { ...s, phase: 'falling', sinceMs: since }, fired: null };
      return { state: QUIET, fired: 'clear' };
    }
  }
}

export function isEpisodeState(value: unknown): value is EpisodeState {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    ['quiet', 'rising', 'active', 'falling'].includes(v['phase'] as string) &&
    (v['sinceMs'] === null || typeof v['sinceMs'] === 'number') &&
    (v['episodeStart'] === null || typeof v['episodeStart'] === 'string')
  );
}
