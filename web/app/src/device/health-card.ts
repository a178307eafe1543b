/**
 * The box's health on its maker page: the status and confidence the health checks gave
 * it, and per problem what was seen and what to do about it, in the page's language (the
 * advice comes from the problem catalogue, HEALTH_PROBLEMS, in English and zh-TW).
 */
import { HEALTH_PROBLEMS, isHealthProblemCode, type HealthStatus } from '@airbox/contracts';
import type { Device } from '../api.ts';
import { el } from '../dom.ts';
import type { I18n, StringKey } from '../i18n/index.ts';

const STATUS_KEY: Record<HealthStatus, StringKey> = {
  ok: 'healthOk',
  suspect: 'healthSuspect',
  faulty: 'healthFaulty',
  unknown: 'healthUnknown',
};

type Problem = NonNullable<Device['health']>['problems'][number];

function problemItem(i18n: I18n, p: Problem): HTMLElement {
  const info = isHealthProblemCode(p.code) ? HEALTH_PROBLEMS[p.code] : null;
  const advice = info === null ? null : info.advice[i18n.lang];
  return el(
    'li',
    { class: `health-problem ${info?.severity ?? 'unknown'}`, attrs: { 'data-code': p.code } },
    el('code', {}, p.code),
    ` ${i18n.t('healthSince', { time: i18n.dateTime(p.since) })}: `,
    // The detail is the engine's own words, with the numbers (English).
    el('span', { class: 'detail' }, p.detail),
    advice === null
      ? null
      : el('p', { class: 'advice' }, el('strong', {}, `${i18n.t('healthAdvice')}: `), advice),
  );
}

export function healthCard(i18n: I18n, device: Device): HTMLElement | null {
  const health = device.health;
  if (health === undefined || device.kind !== 'box') return null;
  const status = i18n.t('healthStatus', {
    status: i18n.t(STATUS_KEY[health.status]),
    confidence: Math.round(health.confidence * 100),
  });
  return el(
    'section',
    { class: `card health ${health.status}`, attrs: { 'data-testid': 'health' } },
    el('h2', {}, i18n.t('healthTitle')),
    el('p', { class: 'health-status' }, status),
    health.problems.length === 0
      ? health.status === 'ok'
        ? el('p', {}, i18n.t('healthNoProblems'))
        : null
      : el('ul', {}, ...health.problems.map((p) => problemItem(i18n, p))),
  );
}
