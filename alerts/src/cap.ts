import type { OutboxMessage } from '@airbox/registry';
import { fromOutboxMessage, type Envelope } from './deliver/envelope.ts';

/**
 * The public feed of area alerts: Atom (RFC 4287) whose entries each carry a CAP 1.2 alert
 * (OASIS Common Alerting Protocol 1.2, 2010) inline as `<content type="application/cap+xml">`,
 * the way public warning aggregators read them. Only area subscriptions' alert and clear
 * events are in it (the outbox marks them); no box id, no subscriber.
 */

export const CAP_NS = 'urn:oasis:names:tc:emergency:cap:1.2';
export const ATOM_NS = 'http://www.w3.org/2005/Atom';

export interface FeedOptions {
  /** --public-url: the feed's id and links, and the CAP sender's domain. */
  publicUrl: URL;
  /** When the feed was made, if it has no entries. */
  nowMs: number;
}

function xml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** CAP 1.2 §3.3.2 DateTime: "2002-05-24T16:49:00-07:00", no fraction, no "Z". */
export function capTime(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 19)}+00:00`;
}

function capSender(publicUrl: URL): string {
  return `airbox@${publicUrl.hostname}`;
}

function areaXml(e: Envelope): string {
  if (!('area' in e.target)) return '';
  const a = e.target.area;
  if ('county' in a) {
    return `<area><areaDesc>${xml(a.county)}</areaDesc><geocode><valueName>county</valueName><value>${xml(a.county)}</value></geocode></area>`;
  }
  // CAP §3.2.4 circle: "lat,lon radius" in WGS 84 degrees and kilometres.
  return `<area><areaDesc>${xml(e.event.targetLabel)}</areaDesc><circle>${a.lat},${a.lon} ${a.radiusKm}</circle></area>`;
}

/** The CAP <alert> of one event; `cancels` is the alert a clear ends, when it is known. */
export function capAlert(e: Envelope, publicUrl: URL, cancels: Envelope | null): string {
  const ev = e.event;
  const isClear = ev.type === 'clear';
  const sender = capSender(publicUrl);
  const value = ev.valueUgM3 === null ? '' : ` ${Math.round(ev.valueUgM3 * 10) / 10} µg/m³`;
  const headline = isClear
    ? `PM2.5 back down in ${ev.targetLabel}${value}`
    : `PM2.5 high in ${ev.targetLabel}${value}`;
  const threshold = ev.thresholdUgM3 === null ? '' : `, threshold ${ev.thresholdUgM3} µg/m³`;
  const description = `${headline}${threshold}${ev.category === null ? '' : ` (${ev.category})`}, measured by the AirBox network.`;
  const references =
    isClear && cancels !== null
      ? `<references>${xml(`${sender},${cancels.key},${capTime(cancels.event.at)}`)}</references>`
      : '';
  // Element order is CAP 1.2's (§3.2): alert, then info, then area.
  return [
    `<alert xmlns="${CAP_NS}">`,
    `<identifier>${xml(e.key)}</identifier>`,
    `<sender>${xml(sender)}</sender>`,
    `<sent>${capTime(ev.at)}</sent>`,
    '<status>Actual</status>',
    `<msgType>${isClear && cancels !== null ? 'Cancel' : isClear ? 'Update' : 'Alert'}</msgType>`,
    '<scope>Public</scope>',
    references,
    '<info>',
    '<language>en</language>',
    '<category>Env</category>',
    `<event>${ev.kind === 'category' ? 'Air quality category' : 'Fine particulate matter (PM2.5)'}</event>`,
    `<urgency>${isClear ? 'Past' : 'Immediate'}</urgency>`,
    `<severity>${isClear ? 'Minor' : 'Moderate'}</severity>`,
    '<certainty>Observed</certainty>',
    `<senderName>AirBox ${xml(publicUrl.host)}</senderName>`,
    `<headline>${xml(headline)}</headline>`,
    `<description>${xml(description)}</description>`,
    `<web>${xml(publicUrl.toString())}</web>`,
    areaXml(e),
    '</info>',
    '</alert>',
  ].join('');
}

function readable(m: OutboxMessage): Envelope | null {
  try {
    return fromOutboxMessage(m);
  } catch {
    return null;
  }
}

/** The Atom feed of these outbox rows (newest first, as listRecentAreas gives them). */
export function capAtomFeed(rows: OutboxMessage[], options: FeedOptions): string {
  const envelopes = rows.map(readable).filter((e): e is Envelope => e !== null);
  const self = new URL('alerts.atom', options.publicUrl).toString();
  const updated = envelopes[0]
    ? capTime(envelopes[0].event.at)
    : capTime(new Date(options.nowMs).toISOString());
  const entries = envelopes.map((e, i) => {
    // The alert a clear ends: the subscription's next older alert in the feed.
    const cancels =
      e.event.type === 'clear'
        ? (envelopes
            .slice(i + 1)
            .find((o) => o.subscriptionId === e.subscriptionId && o.event.type === 'alert') ?? null)
        : null;
    const title =
      e.event.type === 'clear'
        ? `All clear: ${e.event.targetLabel}`
        : `PM2.5 alert: ${e.event.targetLabel}`;
    return [
      '<entry>',
      `<id>urn:airbox:alert:${xml(encodeURIComponent(e.key))}</id>`,
      `<title>${xml(title)}</title>`,
      `<updated>${capTime(e.event.at)}</updated>`,
      `<content type="application/cap+xml">${capAlert(e, options.publicUrl, cancels)}</content>`,
      '</entry>',
    ].join('');
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<feed xmlns="${ATOM_NS}">`,
    `<id>${xml(self)}</id>`,
    '<title>AirBox public area air-quality alerts</title>',
    `<updated>${updated}</updated>`,
    `<author><name>AirBox ${xml(options.publicUrl.host)}</name></author>`,
    `<link rel="self" type="application/atom+xml" href="${xml(self)}"/>`,
    ...entries,
    '</feed>',
  ].join('\n');
}
