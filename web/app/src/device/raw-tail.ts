import { ApiClientError, basic, errorOf } from '../http.ts';
import { makerApi, RawMessageSchema, type RawMessage } from '../maker-api.ts';
import { el } from '../dom.ts';
import type { I18n, StringKey } from '../i18n/index.ts';

/** Raw messages kept in the live tail; older ones scroll away. */
const TAIL_LENGTH = 50;

const OUTCOME_KEY: Record<string, StringKey> = {
  stored: 'outcomeStored',
  queued: 'outcomeQueued',
  accepted: 'outcomeAccepted',
  'dead-letter': 'outcomeDeadLetter',
  refused: 'outcomeRefused',
  unacknowledged: 'outcomeUnacknowledged',
};

/** One message of the tail: when, what became of it and why, then its bytes as text. */
function rawItem(i18n: I18n, m: RawMessage): HTMLElement {
  const key = OUTCOME_KEY[m.outcome];
  const outcome =
    key === undefined
      ? m.outcome
      : i18n.t(key, { readings: m.readings ?? 0, duplicates: m.duplicates ?? 0 });
  const shown = new TextEncoder().encode(m.text).length;
  return el(
    'li',
    { class: `raw ${m.outcome}`, attrs: { 'data-outcome': m.outcome } },
    el(
      'p',
      {},
      `${i18n.dateTime(m.receivedAt)} `,
      el('code', {}, m.topic),
      ` ${i18n.t('rawBytes', { bytes: m.bytes })} — `,
      m.will === true ? el('em', {}, `${i18n.t('rawWill')} — `) : null,
      el('strong', {}, outcome),
      m.code === undefined ? null : el('code', {}, ` ${m.code}`),
      m.reason === undefined ? null : `: ${m.reason}`,
    ),
    el('pre', {}, m.text),
    m.truncated
      ? el('p', { class: 'muted' }, i18n.t('rawTruncated', { shown, bytes: m.bytes }))
      : null,
  );
}

/**
 * The live tail of the box's raw MQTT messages, refused ones included, as sent: for its
 * owner, its organisation and operators, signed in (the session cookie goes with the
 * EventSource), or whoever unlocks the page with the box's password (`withPassword`: an
 * EventSource cannot send it, so the stream is read with fetch). Anyone else reads whose it
 * is. EventSource reconnects by itself and sends the last id it saw, so nothing shows twice.
 */
export function rawTail(
  i18n: I18n,
  deviceId: string,
): { section: HTMLElement; withPassword(password: string): void } {
  const state = el(
    'p',
    { class: 'muted', attrs: { 'data-testid': 'tail-state' } },
    i18n.t('rawTailEmpty'),
  );
  const list = el('ol', { class: 'tail', attrs: { 'data-testid': 'tail', reversed: '' } });
  const section = el(
    'section',
    { class: 'card', attrs: { 'data-testid': 'raw-tail' } },
    el('h2', {}, i18n.t('rawTail')),
    el('p', { class: 'muted' }, i18n.t('rawTailHelp')),
    state,
  );
  const show = (text: string) => {
    const parsed = parseRaw(text);
    if (parsed === null) return;
    state.textContent = '';
    list.prepend(rawItem(i18n, parsed));
    while (list.children.length > TAIL_LENGTH) list.lastElementChild?.remove();
  };
  let following = false;
  const refused = (e: unknown) => {
    const code = e instanceof ApiClientError ? e.code : '';
    state.textContent =
      code === 'not-available' ? i18n.t('rawTailUnavailable') : i18n.t('rawTailOwnerOnly');
    state.setAttribute('data-refused', code);
  };
  // The box password may have opened it meanwhile (a password kept for this tab).
  makerApi.rawTailOpens(deviceId).then(
    () => {
      if (following) return;
      following = true;
      section.append(list);
      followTail(i18n, deviceId, state, show);
    },
    (e: unknown) => {
      if (!following) refused(e);
    },
  );
  const withPassword = (password: string) => {
    if (following) return;
    following = true;
    state.textContent = i18n.t('rawTailEmpty');
    state.removeAttribute('data-refused');
    section.append(list);
    readTail(makerApi.rawTailUrl(deviceId), basic(deviceId, password), show).catch((e: unknown) => {
      following = false;
      refused(e);
    });
  };
  return { section, withPassword };
}

function parseRaw(text: string): RawMessage | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = RawMessageSchema.safeParse(data);
  return parsed.success ? parsed.data : null;
}

/** The tail over an EventSource (the session cookie goes with it). */
function followTail(
  i18n: I18n,
  deviceId: string,
  state: HTMLElement,
  show: (data: string) => void,
): void {
  const source = new EventSource(makerApi.rawTailUrl(deviceId));
  let received = 0;
  source.onopen = () => {
    state.textContent = received === 0 ? i18n.t('rawTailEmpty') : '';
  };
  source.onmessage = (event: MessageEvent<string>) => {
    received++;
    show(event.data);
  };
  source.onerror = () => {
    // CLOSED: the server said no (signed out since); else EventSource retries.
    state.textContent =
      source.readyState === EventSource.CLOSED
        ? i18n.t('rawTailOwnerOnly')
        : i18n.t('rawTailReconnecting');
  };
}

/**
 * The tail read with fetch, for the box's HTTP Basic: each `data:` field of the event
 * stream (HTML Living Standard §9.2.6, event stream interpretation) until it ends.
 */
async function readTail(url: string, auth: string, show: (data: string) => void): Promise<void> {
  const res = await fetch(url, { headers: { accept: 'text/event-stream', authorization: auth } });
  if (!res.ok || res.body === null) throw await errorOf(res);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffered += value.replace(/\r\n?/g, '\n');
    let end: number;
    while ((end = buffered.indexOf('\n\n')) >= 0) {
      const event = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const data = event
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).replace(/^ /, ''))
        .join('\n');
      if (data !== '') show(data);
    }
  }
}
