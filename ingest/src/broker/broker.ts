import type { ReadingSink } from '@airbox/contracts';
import { Aedes } from 'aedes';
import type { Redis } from 'ioredis';
import type { DeadLetter } from '@airbox/store';
import type { RegistryView } from '@airbox/registry';
import type { TappedMessage } from './raw-bus.ts';
import { installHooks, type HookOptions } from './hooks.ts';
import { listen, type BoundPorts, type ListenOptions } from './listeners.ts';
import { DEFAULT_BACKPRESSURE_LAG_MS, PublishBackpressure } from './backpressure.ts';
import { DEFAULT_CONNECT_TIMEOUT_MS } from './pending-connections.ts';
import { openPersistence } from './persistence.ts';

export interface BrokerOptions
  extends
    ListenOptions,
    Pick<HookOptions, 'maxAnonymousConnections' | 'anonymousIdsPerMinute' | 'maxRetainedBytes'> {
  registry: RegistryView;
  /**
   * Where accepted reading messages go before the PUBLISH is acknowledged: the embedded
   * worker (stored), or the Redis stream (queued for the workers); null leaves them to MQTT
   * subscribers (`airbox worker --broker`).
   */
  sink: ReadingSink | null;
  /**
   * Scaled out: sessions, retained messages and queued QoS 1 messages in Redis, and messages
   * between brokers through it, so several brokers act as one. Overrides `persistenceDir`.
   */
  redis?: Redis | null;
  /** Where refused messages go when there is no embedded worker to take them. */
  deadLetters: (letter: DeadLetter) => Promise<void>;
  /** Directory for persistent sessions and queued QoS 1 messages; null keeps them in memory. */
  persistenceDir: string | null;
  allowAnonymousLass: boolean;
  maxPayloadBytes: number;
  /**
   * Sees every PUBLISH from a client with what became of it (the maker page's raw tail,
   * a RawBus); must not block or throw.
   */
  rawTap?: (message: TappedMessage) => void;
  ratePerS: number;
  rateBurst: number;
  /**
   * Event-loop delay (ms) above which client PUBLISHes wait, and their connections are not
   * read, until it is back under half (backpressure.ts); 0 never pauses. Default 100.
   */
  backpressureLagMs?: number;
  now?: () => number;
  log?: (event: string, fields: Record<string, unknown>) => void;
}

export interface RunningBroker {
  aedes: Aedes;
  /** Whether ingest waits for the event loop now, and how often and long it has. */
  backpressure: Pick<PublishBackpressure, 'paused' | 'pauses' | 'pausedSeconds' | 'heldCount'>;
  /** PUBLISHes refused here (each kept as a dead letter), for /metrics. */
  readonly refusedTotal: number;
  /** The sizes of the state kept per device and per connection, for /metrics. */
  readonly tracked: {
    readonly rateLimitedDevices: number;
    readonly anonymousDevices: number;
    readonly anonymousConnections: number;
    /** TCP connections refused by the per-address and total caps (listeners.ts). */
    readonly connectionsRefused: number;
    /** Connections waiting for their CONNECT now (pending-connections.ts). */
    readonly pendingConnections: number;
    /** Connections closed before their CONNECT: out of time, or over the pending cap. */
    readonly connectTimeouts: number;
    readonly pendingCapClosed: number;
  };
  ports: BoundPorts;
  close(): Promise<void>;
}

/**
 * Starts Aedes with our hooks (hooks.ts: authenticate, authorizePublish and
 * authorizeSubscribe, each a list of named checks) and binds its listeners.
 */
export async function startBroker(opts: BrokerOptions): Promise<RunningBroker> {
  const sessions = openPersistence(opts.redis, opts.persistenceDir);
  const aedes = await Aedes.createBroker({
    persistence: sessions.persistence,
    mq: sessions.mq,
    drainTimeout: 30_000,
    // Aedes gets a connection once its CONNECT has arrived (listeners.ts), so its own timer
    // should never fire; the same bound, in case it does.
    connectTimeout: opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
  });
  const backpressure = new PublishBackpressure({
    lagLimitMs: opts.backpressureLagMs ?? DEFAULT_BACKPRESSURE_LAG_MS,
    log: opts.log,
  });
  const hooks = installHooks(aedes, {
    ...opts,
    backpressure,
    rawTap: opts.rawTap,
    now: opts.now ?? Date.now,
    log: opts.log ?? (() => {}),
  });
  const listeners = await listen(aedes, opts);
  return {
    aedes,
    backpressure,
    get refusedTotal() {
      return hooks.refusedTotal;
    },
    tracked: {
      get rateLimitedDevices() {
        return hooks.rateLimitedDevices;
      },
      get anonymousDevices() {
        return hooks.anonymousDevices;
      },
      get anonymousConnections() {
        return hooks.anonymousConnections;
      },
      get connectionsRefused() {
        return listeners.refusedTotal;
      },
      get pendingConnections() {
        return listeners.pendingConnections;
      },
      get connectTimeouts() {
        return listeners.closedBeforeConnect['connect-timeout'];
      },
      get pendingCapClosed() {
        return listeners.closedBeforeConnect['pending-cap'];
      },
    },
    ports: listeners.ports,
    async close() {
      hooks.stop();
      backpressure.stop();
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await listeners.close();
      await sessions.close(aedes);
    },
  };
}
