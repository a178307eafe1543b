/**
 * The fleet runtime behind `airbox sim`: a simulated clock, one report per box per interval
 * at a per-box phase (boxes do not all report on the minute), Wi-Fi outages that really
 * drop the connection (the broker publishes the box's "offline" will), backfill on
 * reconnect, and the reference network's hourly values. One timer drives everything, so
 * 15,000 boxes cost one loop over an array, not 15,000 timers.
 *
 * Time: `--speed X` runs X simulated seconds per real second; `max` runs as fast as the
 * broker acknowledges (sim time stalls while too much is unacknowledged). Faster than real
 * time, a run starts `duration` in the past by default so that no reading is from the future.
 */
import { nativeTopic } from '@airbox/protocol';
import {
  fleetBoxSettings,
  initialProgress,
  type FleetOptions,
  type FleetProgress,
} from './fleet-options.ts';
import { MqttLink, type LinkFactory, type LinkOptions } from './link.ts';
import { ReferencePublisher } from './reference.ts';
import { VirtualBox, type BoxSettings } from './virtual-box.ts';
import { VirtualPms5003 } from './virtual-pms.ts';

interface TickCounts {
  connected: number;
  inOutage: number;
  connecting: number;
  backlog: number;
  droppedReadings: number;
}

/** Near real time a second is fine-grained enough; faster runs tick more often. */
const tickMs = (speed: number | 'max') => (speed !== 'max' && speed <= 10 ? 1000 : 250);
const ONLINE_RECHECK_MS = 60_000;
/** In `max` mode, sim time advances only while fewer readings than this are unacknowledged. */
const MAX_MODE_WINDOW = 20_000;
/** Real time a run waits at its end for the broker to acknowledge the last readings. */
const DRAIN_TIMEOUT_MS = 60_000;

export class Fleet {
  readonly progress: FleetProgress;
  /** Settles when the simulated duration is over and the backlog drained (or stop()). */
  readonly done: Promise<FleetProgress>;
  readonly #o: FleetOptions;
  readonly #boxes: VirtualBox[];
  readonly #settings: BoxSettings;
  readonly #pms = new VirtualPms5003();
  readonly #now: () => number;
  readonly #connect: LinkFactory;
  readonly #phaseMs: Float64Array;
  readonly #nextReportMs: Float64Array;
  readonly #reference: ReferencePublisher;
  readonly #connectQueue: VirtualBox[] = [];
  readonly #realStartMs: number;
  #simMs: number;
  #connecting = 0;
  #timer: NodeJS.Timeout | null = null;
  #lastProgressMs: number;
  #lastAcked = 0;
  #stopping = false;
  #msPerReading = 0.05; // a first guess (~0.04 ms measured); #learnCost follows the real cost
  #drainDeadlineMs: number | null = null;
  #resolveDone: (p: FleetProgress) => void = () => undefined;

  constructor(options: FleetOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#connect = options.connect ?? ((opts, onClose) => MqttLink.open(opts, onClose));
    this.#settings = fleetBoxSettings(options);
    const { intervalMs } = this.#settings;
    const n = options.source.boxes.length;
    this.#boxes = options.source.boxes.map((b) => new VirtualBox(b));
    this.#phaseMs = new Float64Array(n);
    this.#nextReportMs = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      // Golden-ratio spread: phases evenly cover the interval for any fleet size.
      this.#phaseMs[i] = options.source.phased ? ((i * 0.6180339887) % 1) * intervalMs : 0;
      this.#nextReportMs[i] = options.startMs + this.#phaseMs[i]!;
    }
    this.#simMs = options.startMs;
    this.#realStartMs = this.#now();
    this.#lastProgressMs = this.#realStartMs;
    this.#reference = new ReferencePublisher({
      source: options.source,
      broker: options.broker,
      service: options.service,
      connect: this.#connect,
      startMs: options.startMs,
    });
    this.progress = initialProgress(options.startMs, n);
    this.done = new Promise((resolve) => (this.#resolveDone = resolve));
  }

  get endMs(): number {
    const d = this.#o.durationMs;
    return d === null ? Infinity : this.#o.startMs + d;
  }

  start(): this {
    const { speed, tickBudgetMs } = this.#o;
    const every = speed === 'max' && tickBudgetMs !== undefined ? 2 * tickBudgetMs : tickMs(speed);
    this.#timer = setInterval(() => this.#tick(), every);
    this.#tick();
    return this;
  }

  /** Stops early: boxes publish an offline status and disconnect. */
  async stop(): Promise<FleetProgress> {
    if (!this.#stopping) {
      this.#stopping = true;
      this.#drainDeadlineMs = this.#now();
      this.#tick();
    }
    return this.done;
  }

  #tick(): void {
    const realMs = this.#now();
    if (!this.#stopping) this.#advance(realMs);
    const counts = { connected: 0, inOutage: 0, connecting: 0, backlog: 0, droppedReadings: 0 };
    for (const vb of this.#boxes) this.#tend(vb, realMs, counts);
    Object.assign(this.progress, counts);
    this.#reference.tend(this.#simMs);
    this.#startConnects();
    this.#report(realMs, false);
    const finished = this.#simMs >= this.endMs || this.#stopping;
    if (finished) {
      this.#drainDeadlineMs ??= realMs + DRAIN_TIMEOUT_MS;
      const drained = this.progress.backlog === 0 && this.#reference.idle;
      if (drained || realMs >= this.#drainDeadlineMs) void this.#finish(realMs);
    }
  }

  /** Moves sim time on and makes every report that fell due. */
  #advance(realMs: number): void {
    const { speed } = this.#o;
    let target: number;
    if (speed === 'max') {
      const unacked = this.progress.readingsMade - this.progress.readingsAcked;
      const perMs = this.#boxes.length / this.#settings.intervalMs;
      const room = Math.min(Math.max(0, MAX_MODE_WINDOW - unacked), this.#budgetReadings());
      target = this.#simMs + Math.min(room / Math.max(perMs, 1e-9), 6 * 3600_000);
    } else {
      target = this.#o.startMs + (realMs - this.#realStartMs) * speed;
    }
    this.#simMs = Math.min(Math.max(this.#simMs, target), this.endMs);
    const startedMs = performance.now();
    const madeBefore = this.progress.readingsMade;
    this.#makeReports();
    this.#learnCost(performance.now() - startedMs, this.progress.readingsMade - madeBefore);
    this.progress.simTime = new Date(this.#simMs).toISOString();
  }

  /** Readings one tick may make within tickBudgetMs, from what they cost lately. */
  #budgetReadings(): number {
    const budget = this.#o.tickBudgetMs;
    return budget === undefined ? Infinity : Math.max(1, budget / this.#msPerReading);
  }

  /** Real ms a reading takes to make (physics, PMS frames), smoothed over ticks. */
  #learnCost(ms: number, readings: number): void {
    if (readings > 0) this.#msPerReading = 0.7 * this.#msPerReading + (0.3 * ms) / readings;
  }

  /** Every report that fell due up to the sim time, box by box. */
  #makeReports(): void {
    const { source, truth } = this.#o;
    for (let i = 0; i < this.#boxes.length; i++) {
      const vb = this.#boxes[i]!;
      // Reports in [start, end): a run of `duration` makes duration / interval per box.
      while (this.#nextReportMs[i]! <= this.#simMs && this.#nextReportMs[i]! < this.endMs) {
        const at = this.#nextReportMs[i]!;
        vb.report(source, this.#pms, this.#settings, at);
        this.progress.readingsMade++;
        truth?.write(vb.box, at, source.truth(vb.box, at));
        this.#nextReportMs[i] = at + this.#settings.intervalMs;
      }
    }
  }

  /** One box's connection: drop it in an outage, (re)connect when back, send its backlog. */
  #tend(vb: VirtualBox, realMs: number, counts: TickCounts): void {
    // A finished run ends every outage, so what the boxes buffered is delivered, not lost.
    const ended = this.#simMs >= this.endMs;
    const online = !this.#stopping && (ended || this.#online(vb));
    if (!online) counts.inOutage++;
    const link = vb.link;
    if (link !== null && link.state === 'closed') {
      vb.link = null;
      this.progress.connectionsLost++;
    }
    if (!online && vb.link !== null && !this.#stopping) {
      vb.link.drop('simulated Wi-Fi outage');
      vb.link = null;
      this.progress.outagesStarted++;
    }
    if (online && vb.link === null && !vb.connecting && realMs >= vb.retryAtMs) {
      vb.connecting = true;
      this.#connectQueue.push(vb);
    }
    if (vb.backlog > 0 && vb.link !== null) {
      vb.flush(this.#settings, realMs, (n) => {
        this.progress.readingsAcked += n;
      });
    }
    if (vb.link?.state === 'open') counts.connected++;
    if (vb.connecting) counts.connecting++;
    counts.backlog += vb.backlog;
    counts.droppedReadings += vb.droppedReadings;
  }

  /**
   * Wi-Fi state, looked up at most once per simulated minute a box: 15,000 lookups each tick
   * cost more than the rest of the loop, and outages last tens of minutes.
   */
  #online(vb: VirtualBox): boolean {
    if (this.#simMs - vb.onlineCheckedAtMs >= ONLINE_RECHECK_MS) {
      vb.onlineCheckedAtMs = this.#simMs;
      vb.lastOnline = this.#o.source.online(vb.box, this.#simMs);
    }
    return vb.lastOnline;
  }

  #startConnects(): void {
    const limit = this.#o.connectConcurrency ?? 200;
    while (this.#connecting < limit && this.#connectQueue.length > 0) {
      const vb = this.#connectQueue.shift()!;
      this.#connecting++;
      void this.#open(vb).finally(() => {
        this.#connecting--;
        vb.connecting = false;
      });
    }
  }

  async #open(vb: VirtualBox): Promise<void> {
    const id = vb.box.deviceId;
    const creds = this.#o.credentials(id);
    const status = (online: boolean) =>
      JSON.stringify(vb.status(this.#settings, online, this.#simMs));
    // A LASS box has no status topic: an anonymous one publishing native status would be
    // refused and disconnected on every message. With credentials it may add native status.
    vb.speaksStatus = creds !== null;
    const opts: LinkOptions = {
      host: this.#o.broker.host,
      port: this.#o.broker.port,
      clientId: id,
      username: creds?.username,
      password: creds?.password,
      ...(vb.speaksStatus
        ? { will: { topic: nativeTopic(id, 'status'), payload: status(false) } }
        : {}),
      keepaliveS: 300,
      connectTimeoutMs: 30_000,
    };
    try {
      const link = await this.#connect(opts, (reason) => {
        vb.lastError = reason;
      });
      if (this.#stopping) return link.end();
      vb.link = link;
      if (vb.speaksStatus) {
        link.publish(nativeTopic(id, 'status'), status(true), true).catch(() => undefined);
      }
    } catch (e) {
      vb.lastError = (e as Error).message;
      this.progress.connectFailures++;
      vb.retryAtMs = this.#now() + 5_000 + (vb.box.index % 50) * 100;
    }
  }

  #report(realMs: number, final: boolean): void {
    const p = this.progress;
    p.referenceReadings = this.#reference.published;
    p.realElapsedS = Math.round((realMs - this.#realStartMs) / 100) / 10;
    const every = this.#o.progressMs ?? 2000;
    if (final || realMs - this.#lastProgressMs >= every) {
      const dt = (realMs - this.#lastProgressMs) / 1000;
      p.ackedPerS = dt > 0 ? Math.round((p.readingsAcked - this.#lastAcked) / dt) : 0;
      this.#lastAcked = p.readingsAcked;
      this.#lastProgressMs = realMs;
      this.#o.onProgress?.({ ...p });
    }
  }

  async #finish(realMs: number): Promise<void> {
    if (this.#timer === null) return;
    clearInterval(this.#timer);
    this.#timer = null;
    const closing = this.#boxes.map(async (vb) => {
      const link = vb.link;
      if (link === null || link.state !== 'open') return;
      if (!vb.speaksStatus) return link.end();
      const offline = JSON.stringify(vb.status(this.#settings, false, this.#simMs));
      // A switched-off box says so; the broker would publish the will on a plain drop.
      await link
        .publish(nativeTopic(vb.box.deviceId, 'status'), offline, true)
        .catch(() => undefined);
      link.end();
    });
    await Promise.all(closing);
    await this.#reference.close();
    await this.#o.truth?.close();
    this.progress.done = true;
    this.#report(realMs, true);
    this.#resolveDone({ ...this.progress });
  }
}
