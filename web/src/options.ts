import type { Unsubscriber } from '@airbox/alerts';
import type { AlertOutboxStore } from '@airbox/registry';
import type {
  HealthSnapshot,
  DeadLetterDropReport,
  LiveSource,
  RawSource,
} from '@airbox/contracts';
import type { ReferenceStation } from '@airbox/geo';
import type { ReadingStore } from '@airbox/store';
import type { ActiveAreaAlert } from '@airbox/alerts';
import type { AccountsOptions } from './accounts/options.ts';
import type { CredentialCheck } from './auth.ts';
import type { MetricsRegistry } from './metrics.ts';
import { DEFAULT_OPEN_DATA_TERMS, type OpenDataTerms } from './opendata/terms.ts';
import { PublicStore, publicLive, type PublicPolicy } from './public-view.ts';
import type { SurfaceQuery } from './query.ts';

/** Bounds of the live stream (WebSocket and SSE); every per-client buffer has one. */
export interface LiveLimits {
  /**
   * A client whose unsent bytes exceed this is dropped (WebSocket close 4008, SSE stream
   * ended) rather than letting the server's memory grow. Default 1 MiB.
   */
  maxBufferedBytes: number;
  /** Readings held per client while its snapshot and re-sync are read. Default 10,000. */
  maxPendingReadings: number;
  /** `since` older than this is clamped (and the re-sync marked truncated). Default 24 h. */
  maxResyncMs: number;
  /** At most this many readings in a re-sync (then marked truncated). Default 10,000. */
  maxResyncReadings: number;
  /** SSE comment line interval that keeps proxies from closing an idle stream. Default 15 s. */
  sseHeartbeatMs: number;
}

export interface RateLimitOptions {
  /** Requests per window per client IP. Default 600. */
  max: number;
  /** Default 60,000 (one minute). */
  timeWindowMs: number;
}

/** Why this process should be sent no new clients now: a stable code, the measure in words. */
export interface NotReady {
  code: string;
  message: string;
}

export interface ApiOptions {
  store: ReadingStore;
  metrics: MetricsRegistry;
  /** Extra facts for /healthz (ports, versions); must not throw. */
  health?: () => Record<string, unknown>;
  /**
   * Why this process should get no new clients now (GET /readyz answers 503 with them; none
   * is 200). Asked on every probe, so cheap; must not throw. Until given: ready.
   */
  readiness?: () => readonly NotReady[];
  logger?: boolean;
  /** Injected clock (epoch ms) for `online` and live re-sync bounds. Default Date.now. */
  now?: () => number;
  /** A device is `online` when its newest reading arrived within this. Default 10 min. */
  onlineWindowMs?: number;
  /** Reference stations for /api/v1/stations. Default: the bundled MOENV list. */
  stations?: ReferenceStation[];
  /** Per-IP rate limit of every route but /healthz and /metrics; `false` turns it off. */
  rateLimit?: Partial<RateLimitOptions> | false;
  /** Trust X-Forwarded-For from these proxies (Fastify `trustProxy`), e.g. `'127.0.0.1'`. Default false. */
  trustProxy?: boolean | string | string[];
  /** Allowed CORS origin(s) of read requests. Default '*'. */
  corsOrigin?: string | string[];
  /** Rows one JSON series answer may hold (CSV has no ceiling). Default 500,000. */
  maxJsonRows?: number;
  /** Calibration models (from calibrate's registry); until given the list is empty. */
  models?: () => Promise<unknown[]>;
  /** The interpolated surface; until given, /api/v1/surface answers 404 not-available. */
  surface?: (query: SurfaceQuery) => Promise<unknown>;
  /** Live readings; until given, /api/v1/live and /api/v1/live.sse answer 404. */
  live?: LiveSource;
  liveLimits?: Partial<LiveLimits>;
  /**
   * Raw MQTT messages per box, as sent, for the box's owner, its organisation and operators;
   * until given, /api/v1/devices/:id/raw.sse answers 404.
   */
  raw?: RawSource;
  /**
   * Ids of the boxes registered as indoors (the device registry's placement), asked on every
   * answer that carries `indoor` or a position (newest readings, devices, series, the live
   * stream), so it must be cheap. An indoor box's position is told on a
   * 0.001° grid (placement.ts, public-view.ts). Until given, every box is outdoors.
   */
  indoorDevices?: () => ReadonlySet<string>;
  /**
   * Ids of the private boxes (the registry's visibility): on no public route — not the
   * devices, readings, series, live stream, surface or /status. Asked per answer.
   * Until given, every box is public.
   */
  hiddenDevices?: () => ReadonlySet<string>;
  /** The daily archive's folder (airbox archive writes it), served at /archive/; until given, not served. */
  archiveDir?: string;
  /** The licence and publisher of the network's data. Default CC BY 4.0, "AirBox network contributors". */
  openData?: OpenDataTerms;
  /** A box's name as its owner gave it (the registry's), for the open-data feeds' SiteName. */
  deviceName?: (deviceId: string) => string | null;
  /**
   * The latest health of every box judged (the health stage, run by serve every 5 minutes),
   * by device id: `health` on the devices and `confidence` on the newest readings come from
   * it. Asked per answer, so it must be cheap. Until given, every box is `unknown`.
   */
  boxHealth?: () => HealthSnapshot;
  /** Indoor boxes whose owner chose to show the exact position (not on the grid). */
  exactPositionDevices?: () => ReadonlySet<string>;
  /**
   * The operator's secret: `Authorization: Bearer <it>` reads every box's dead letters. Until
   * given, those routes answer 403 (a box's owner still reads its own).
   */
  operatorToken?: string;
  /** What the dead-letter budget kept and dropped; until given, its route answers 404. */
  deadLetterDrops?: () => DeadLetterDropReport;
  /**
   * Accounts, organisations, self-service boxes and API keys, kept in the registry; until
   * given, their routes answer 404 `not-available`.
   */
  accounts?: AccountsOptions;
  /** The alert outbox's public pages (/alerts.atom, /alerts/unsubscribe); until given, 404. */
  alertPages?: AlertPagesOptions;
  /** Alert subscriptions (issue 16), with `accounts`: what serve's flags and evaluator give. */
  alerts?: AlertsOptions;
}

export interface AlertPagesOptions {
  outbox: AlertOutboxStore;
  /** --public-url: the feed's links. */
  publicUrl: URL;
  /** What an unsubscribe link calls; null: the page answers 503. */
  unsubscriber: Unsubscriber | null;
}

export interface AlertsOptions {
  /** `--webhook-allow-private`: webhooks to loopback and private addresses are accepted. */
  allowPrivateWebhooks: boolean;
  /** The public area alerts ongoing, from the evaluator's memory. */
  active: () => ActiveAreaAlert[];
}

export const DEFAULT_LIVE_LIMITS: LiveLimits = {
  maxBufferedBytes: 1024 * 1024,
  maxPendingReadings: 10_000,
  maxResyncMs: 24 * 3_600_000,
  maxResyncReadings: 10_000,
  sseHeartbeatMs: 15_000,
};

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { max: 600, timeWindowMs: 60_000 };

/** ApiOptions with every default filled in, as the routes use them. */
export interface ResolvedApiOptions extends ApiOptions {
  now: () => number;
  openData: OpenDataTerms;
  onlineWindowMs: number;
  maxJsonRows: number;
  liveLimits: LiveLimits;
  indoorDevices: () => ReadonlySet<string>;
  /** What public answers leave out (private boxes) and round (indoor positions). */
  publicPolicy: () => PublicPolicy;
  /** Box credentials (AppOptions.deviceAdmin's verify): who may read a box's dead letters. */
  verifyCredentials: CredentialCheck | undefined;
  /** The store as it is, for a box's owner: private boxes and exact positions included. */
  ownerStore: ReadingStore;
}

const NONE_INDOOR: ReadonlySet<string> = new Set();

/**
 * The routes see the store and the live stream as the public may
 * (public-view.ts): no private box, and every position an indoor box sent on the grid
 * before a route, or a bbox filter, reads it.
 */
export function resolveOptions(
  opts: ApiOptions,
  verifyCredentials?: CredentialCheck,
): ResolvedApiOptions {
  const indoorDevices = opts.indoorDevices ?? (() => NONE_INDOOR);
  const publicPolicy = policyOf(opts, indoorDevices);
  const { live } = opts;
  return {
    ...opts,
    verifyCredentials,
    ownerStore: opts.store,
    store: new PublicStore(opts.store, publicPolicy),
    live: live === undefined ? undefined : publicLive(live, publicPolicy),
    now: opts.now ?? Date.now,
    openData: opts.openData ?? DEFAULT_OPEN_DATA_TERMS,
    onlineWindowMs: opts.onlineWindowMs ?? 10 * 60_000,
    maxJsonRows: opts.maxJsonRows ?? 500_000,
    liveLimits: { ...DEFAULT_LIVE_LIMITS, ...opts.liveLimits },
    indoorDevices,
    publicPolicy,
  };
}

/**
 * The public policy from the registry's sets. The sets are asked on every answer; the
 * difference (indoor but not exact) is worked out again only when one of them changed, which
 * a RegistryView signals by handing out a new set.
 */
/**
 * The store as the public routes see it, for writers of public files (the daily archive):
 * no private box, indoor positions on the grid unless their owner chose exact.
 */
export function publicStoreOf(
  store: ReadingStore,
  opts: Pick<ApiOptions, 'indoorDevices' | 'hiddenDevices' | 'exactPositionDevices'>,
): ReadingStore {
  return new PublicStore(store, policyOf(opts, opts.indoorDevices ?? (() => NONE_INDOOR)));
}

function policyOf(
  opts: Pick<ApiOptions, 'hiddenDevices' | 'exactPositionDevices'>,
  indoor: () => ReadonlySet<string>,
): () => PublicPolicy {
  const hidden = opts.hiddenDevices ?? (() => NONE_INDOOR);
  const exact = opts.exactPositionDevices ?? (() => NONE_INDOOR);
  let memo: {
    indoor: ReadonlySet<string>;
    exact: ReadonlySet<string>;
    policy: PublicPolicy;
  } | null = null;
  return () => {
    const [i, e, h] = [indoor(), exact(), hidden()];
    if (memo?.indoor !== i || memo.exact !== e) {
      const rounded = e.size === 0 ? i : new Set([...i].filter((id) => !e.has(id)));
      memo = { indoor: i, exact: e, policy: { rounded, hidden: h } };
    }
    if (memo.policy.hidden !== h) memo.policy = { ...memo.policy, hidden: h };
    return memo.policy;
  };
}
