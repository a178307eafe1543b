/**
 * The simulated reference network: after each simulated hour, every station's hourly mean
 * is published as a native reading marked `kind: "reference"` on the station's own topic
 * (`airbox/v1/EPA-<name>/reading`), through a service account — the broker refuses
 * reference readings from device logins. Stations report the hour that just ended, as
 * MOENV's hourly feed does.
 */
import { nativeTopic } from '@airbox/protocol';
import type { Credentials } from './fleet-options.ts';
import type { Link, LinkFactory } from './link.ts';
import type { FleetSource, SimStation } from './source.ts';

const HOUR_MS = 3600_000;
/** Hours kept while the service link is down: a week of the whole network. */
const MAX_QUEUED_HOURS = 7 * 24;

interface StationHour {
  station: SimStation;
  hourStartMs: number;
}

export interface ReferencePublisherOptions {
  source: FleetSource;
  broker: { host: string; port: number };
  service: Credentials | null;
  connect: LinkFactory;
  startMs: number;
}

export class ReferencePublisher {
  published = 0;
  droppedHours = 0;
  lastError: string | null = null;
  readonly #o: ReferencePublisherOptions;
  readonly #queue: StationHour[] = [];
  #nextHourStartMs: number;
  #link: Link | null = null;
  #connecting = false;
  #inFlight = 0;

  constructor(options: ReferencePublisherOptions) {
    this.#o = options;
    this.#nextHourStartMs = Math.floor(options.startMs / HOUR_MS) * HOUR_MS;
  }

  /** Nothing queued or unacknowledged (or nothing can ever be sent: no service account). */
  get idle(): boolean {
    return this.#o.service === null || (this.#queue.length === 0 && this.#inFlight === 0);
  }

  tend(simMs: number): void {
    if (this.#o.service === null || this.#o.source.stations.length === 0) return;
    while (this.#nextHourStartMs + HOUR_MS <= simMs) {
      for (const station of this.#o.source.stations) {
        this.#queue.push({ station, hourStartMs: this.#nextHourStartMs });
      }
      this.#nextHourStartMs += HOUR_MS;
    }
    const limit = MAX_QUEUED_HOURS * this.#o.source.stations.length;
    if (this.#queue.length > limit) {
      this.droppedHours += this.#queue.splice(0, this.#queue.length - limit).length;
    }
    if (this.#link?.state === 'closed') this.#link = null;
    if (this.#link === null) this.#ensureLink();
    else this.#send();
  }

  async close(): Promise<void> {
    this.#link?.end();
    this.#link = null;
    await Promise.resolve();
  }

  #ensureLink(): void {
    const service = this.#o.service;
    if (this.#connecting || service === null) return;
    this.#connecting = true;
    this.#o
      .connect(
        {
          ...this.#o.broker,
          clientId: `sim-reference-${service.username}`,
          username: service.username,
          password: service.password,
          keepaliveS: 300,
          connectTimeoutMs: 30_000,
        },
        (reason) => (this.lastError = reason),
      )
      .then(
        (link) => (this.#link = link),
        (e: unknown) => (this.lastError = (e as Error).message),
      )
      .finally(() => (this.#connecting = false));
  }

  #send(): void {
    const link = this.#link;
    while (link !== null && link.state === 'open' && link.inFlight < 50) {
      const item = this.#queue.shift();
      if (item === undefined) return;
      const value = this.#o.source.referenceHour(item.station, item.hourStartMs);
      if (value === null) continue; // a missing hour, as real stations have
      const { station } = item;
      const payload = JSON.stringify({
        time: new Date(item.hourStartMs).toISOString(),
        lat: station.lat,
        lon: station.lon,
        pm25UgM3: value.pm25UgM3,
        pm10UgM3: value.pm10UgM3,
        app: 'sim-reference',
        kind: 'reference',
      });
      this.#inFlight++;
      link.publish(nativeTopic(station.deviceId, 'reading'), payload).then(
        () => {
          this.#inFlight--;
          this.published++;
        },
        () => {
          this.#inFlight--;
          this.#queue.unshift(item);
        },
      );
    }
  }
}
