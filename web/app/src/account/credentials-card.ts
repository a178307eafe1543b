import { el } from '../dom.ts';
import type { I18n } from '../i18n/index.ts';
import type { BoxCredentials } from './account-api.ts';

/**
 * A box's new credentials, shown this once (only a hash is kept): the settings to type into
 * the box and a mosquitto_pub line that sends a first reading.
 */
export function credentialsCard(i18n: I18n, c: BoxCredentials): HTMLElement {
  const fact = (label: string, value: string, testid: string) => [
    el('dt', {}, label),
    el('dd', {}, el('code', { attrs: { 'data-testid': testid } }, value)),
  ];
  return el(
    'section',
    { class: 'card credentials', attrs: { 'data-testid': 'credentials' } },
    el('h3', {}, i18n.t('credentialsOnce')),
    el(
      'dl',
      { class: 'facts' },
      ...fact(i18n.t('username'), c.username, 'cred-username'),
      ...fact(i18n.t('password'), c.password, 'cred-password'),
      ...fact('MQTT', `mqtt://${c.mqtt.host}:${c.mqtt.port} (MQTT 3.1.1)`, 'cred-mqtt'),
      ...(c.mqtt.wsPort === undefined
        ? []
        : fact('WebSocket', `ws://${c.mqtt.host}:${c.mqtt.wsPort}/mqtt`, 'cred-ws')),
      ...fact(i18n.t('topics'), c.topic, 'cred-topic'),
    ),
    el('p', {}, i18n.t('tryIt')),
    el('pre', {}, el('code', { attrs: { 'data-testid': 'cred-example' } }, c.example)),
  );
}
