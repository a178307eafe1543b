import type { ReadingSink } from '@airbox/contracts';
import {
  DEFAULT_BACKPRESSURE_LAG_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
  StreamHandoff,
  type BrokerOptions,
  type StreamWorker,
} from '@airbox/ingest';
import { parseCommandArgs, positiveNumber } from '../args.ts';
import { CLUSTER_OPTIONS, type Cluster } from '../cluster-options.ts';
import { REFERENCE_FEED_OPTIONS } from '../commands/reference.ts';
import { UsageError } from '../io.ts';
import { MAIL_OPTIONS } from '../mail-options.ts';
import { OPEN_DATA_OPTIONS } from '../open-data-options.ts';
import { DELIVERY_OPTIONS } from './alert-delivery.ts';
import { ALERT_OPTIONS } from './alerts.ts';
import { STORE_OPTIONS } from '../store-options.ts';
import { DEAD_LETTER_OPTIONS } from './dead-letters.ts';

export const SERVE_OPTIONS = {
  'data-dir': { type: 'string' },
  registry: { type: 'string' },
  host: { type: 'string' },
  'mqtt-port': { type: 'string' },
  'ws-port': { type: 'string' },
  'http-port': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-port': { type: 'string' },
  'allow-anonymous-lass': { type: 'boolean' },
  'max-payload-bytes': { type: 'string' },
  rate: { type: 'string' },
  'max-connections': { type: 'string' },
  'max-connections-per-address': { type: 'string' },
  'connect-timeout': { type: 'string' },
  'max-pending-connections': { type: 'string' },
  'heap-growth-percent': { type: 'string' },
  'backpressure-lag-ms': { type: 'string' },
  'max-anonymous-connections': { type: 'string' },
  'anonymous-ids-per-minute': { type: 'string' },
  'operator-token-file': { type: 'string' },
  signup: { type: 'string' },
  ...DEAD_LETTER_OPTIONS,
  'no-worker': { type: 'boolean' },
  handoff: { type: 'string' },
  'no-refit': { type: 'boolean' },
  'no-archive': { type: 'boolean' },
  'no-health': { type: 'boolean' },
  'health-every': { type: 'string' },
  'map-style': { type: 'string' },
  'trust-proxy': { type: 'string' },
  demo: { type: 'boolean' },
  'demo-devices': { type: 'string' },
  'demo-history-hours': { type: 'string' },
  ...MAIL_OPTIONS,
  ...OPEN_DATA_OPTIONS,
  ...DELIVERY_OPTIONS,
  ...ALERT_OPTIONS,
  ...STORE_OPTIONS,
  ...REFERENCE_FEED_OPTIONS,
  ...CLUSTER_OPTIONS,
} as const;

export function parseServeArgs(argv: string[]) {
  return parseCommandArgs(argv, SERVE_OPTIONS).values;
}

/** The flags of `airbox serve`, parsed (a config file's included). */
export type ServeValues = ReturnType<typeof parseServeArgs>;

export function port(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new UsageError(`--${flag} must be a port number 0–65535, got '${value}'`);
  }
  return n;
}

export function nonNegative(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) {
    throw new UsageError(`--${flag} must be a number ≥ 0, got '${value}'`);
  }
  return n;
}

/** `--demo-devices`: boxes in the demo fleet (default 200). */
export function demoDevices(v: ServeValues): number {
  return Math.floor(positiveNumber('demo-devices', v['demo-devices'], 200));
}

/** A whole number ≥ `min` (0 often means "no cap"), or the fallback when not given. */
export function wholeNumber(
  flag: string,
  value: string | undefined,
  fallback: number | undefined,
  min = 1,
): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    throw new UsageError(`--${flag} must be a whole number ≥ ${min}, got '${value}'`);
  }
  return n;
}

/**
 * The connection caps and anonymous budgets; undefined leaves ingest's default. The demo's
 * boxes all connect from this machine, so with --demo the per-address cap leaves room for
 * them as well.
 */
export function brokerLimits(
  v: ServeValues,
  demoBoxes: number,
): Pick<
  BrokerOptions,
  | 'maxConnections'
  | 'maxConnectionsPerAddress'
  | 'connectTimeoutMs'
  | 'maxPendingConnections'
  | 'backpressureLagMs'
  | 'maxAnonymousConnections'
  | 'anonymousIdsPerMinute'
> {
  const perAddress = Math.max(DEFAULT_MAX_CONNECTIONS_PER_ADDRESS, demoBoxes + 100);
  return {
    maxConnections: wholeNumber('max-connections', v['max-connections'], undefined),
    maxConnectionsPerAddress: wholeNumber(
      'max-connections-per-address',
      v['max-connections-per-address'],
      perAddress,
      0,
    ),
    connectTimeoutMs:
      positiveNumber('connect-timeout', v['connect-timeout'], DEFAULT_CONNECT_TIMEOUT_MS / 1000) *
      1000,
    maxPendingConnections: wholeNumber(
      'max-pending-connections',
      v['max-pending-connections'],
      undefined,
    ),
    backpressureLagMs: nonNegative(
      'backpressure-lag-ms',
      v['backpressure-lag-ms'],
      DEFAULT_BACKPRESSURE_LAG_MS,
    ),
    maxAnonymousConnections: wholeNumber(
      'max-anonymous-connections',
      v['max-anonymous-connections'],
      undefined,
    ),
    anonymousIdsPerMinute: wholeNumber(
      'anonymous-ids-per-minute',
      v['anonymous-ids-per-minute'],
      undefined,
    ),
  };
}

/** `--trust-proxy`: 'true', or the proxies' addresses/CIDRs, as Fastify's `trustProxy` takes. */
export function trustProxy(value: string | undefined): boolean | string[] {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  const list = value.split(',').map((a) => a.trim());
  if (list.some((a) => !/^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(a))) {
    throw new UsageError(
      `--trust-proxy takes 'true' or comma-separated addresses/CIDRs, got '${value}'`,
    );
  }
  return list;
}

/** `--signup`: whether anyone may make an account in the browser (default open). */
export function signupPolicy(value: string | undefined): 'open' | 'closed' {
  if (value === undefined || value === 'open' || value === 'closed') return value ?? 'open';
  throw new UsageError(`--signup must be open or closed, got '${value}'`);
}

export type Handoff = 'embedded' | 'mqtt' | 'stream';

export function handoffMode(v: {
  handoff?: string;
  'no-worker'?: boolean;
  redis?: string;
}): Handoff {
  const mode = v.handoff ?? (v['no-worker'] ? 'mqtt' : 'embedded');
  if (mode !== 'embedded' && mode !== 'mqtt' && mode !== 'stream') {
    throw new UsageError(`--handoff must be embedded, mqtt or stream, got '${mode}'`);
  }
  if (v['no-worker'] && mode !== 'mqtt') {
    throw new UsageError(`--no-worker means --handoff mqtt; it cannot go with --handoff ${mode}`);
  }
  if (mode === 'stream' && v.redis === undefined) {
    throw new UsageError('--handoff stream needs --redis (the stream lives in Redis)');
  }
  return mode;
}

export function readingSink(
  mode: Handoff,
  worker: StreamWorker,
  cluster: Cluster | null,
): ReadingSink | null {
  if (mode === 'embedded') return worker;
  if (mode === 'mqtt') return null;
  return new StreamHandoff(cluster!.redis, cluster!.keys);
}
