import type { ReadingSink } from '@airbox/contracts';
import type { Mailer } from '@airbox/mail';
import type { OpenDataTerms } from '@airbox/web';
import { join, resolve } from 'node:path';
import {
  openModelRegistry,
  registryProvider,
  type ModelRegistry,
  type RegistryProvider,
} from '@airbox/calibrate';
import {
  RawBus,
  relayLive,
  startBroker,
  startRawRelay,
  StreamWorker,
  type BrokerOptions,
  type RawRelay,
  type RunningBroker,
} from '@airbox/ingest';
import { RegistryView, refreshingDevices, type DeviceStore, type Registry } from '@airbox/registry';
import type { ReadingStore } from '@airbox/store';
import { positiveNumber } from '../args.ts';
import { joinCluster, type Cluster } from '../cluster-options.ts';
import { UsageError, type CliIo } from '../io.ts';
import { jsonLogger, type JsonLog } from '../log.ts';
import { mailerFromOptions, publicUrl } from '../mail-options.ts';
import { openDataTerms } from '../open-data-options.ts';
import { dataDirRegistry, openRegistryAt } from '../registry-options.ts';
import { openStore } from '../store-options.ts';
import { deadLetterBudget, operatorToken, refusedLetters, trackLogins } from './dead-letters.ts';
import {
  brokerLimits,
  demoDevices,
  handoffMode,
  signupPolicy,
  port,
  readingSink,
  type Handoff,
  type ServeValues,
} from './options.ts';

/** What every step of `airbox serve` reads: the flags and the process around them. */
export interface ServeBase {
  v: ServeValues;
  io: CliIo;
  log: JsonLog;
  dataDir: string;
  host: string;
  handoff: Handoff;
  cluster: Cluster | null;
  /** Reads every box's dead letters over HTTP; undefined: only their owners read them. */
  operatorToken: string | undefined;
  /** `--signup`: whether anyone may make an account over HTTP. */
  signup: 'open' | 'closed';
  /** --smtp-url's mailer; null: nothing is mailed. */
  mailer: Mailer | null;
  /** --public-url, the base of links in mails and feeds; null: http://localhost:HTTP_PORT. */
  publicUrl: URL | null;
  /** --data-license and --data-publisher. */
  openData: OpenDataTerms;
}

/** The store, the registry (and the view of its boxes) and the calibration models. */
export interface ServeData {
  store: ReadingStore;
  /** Accounts, organisations, boxes: the async stores, for writes and account routes. */
  registry: Registry;
  /** Every box in memory, polled fresh: what the broker and the public routes read. */
  view: RegistryView;
  /** The registry's boxes, whose writes the view shows before they resolve (the demo fleet). */
  devices: DeviceStore;
  models: ModelRegistry;
  calibration: RegistryProvider;
}

/** The ingest side: the worker, the broker, and the relays between nodes when scaled out. */
export interface ServeIngest {
  worker: StreamWorker;
  sink: ReadingSink | null;
  rawMessages: RawBus;
  rawRelay: RawRelay | null;
  broker: RunningBroker;
  stopRelay: (() => Promise<void>) | null;
}

/** Checks the flags that go together and joins the cluster (--redis), failing fast. */
export async function prepare(v: ServeValues, io: CliIo): Promise<ServeBase> {
  if ((v['tls-cert'] === undefined) !== (v['tls-key'] === undefined)) {
    throw new UsageError('--tls-cert and --tls-key go together');
  }
  const handoff = handoffMode(v);
  const signup = signupPolicy(v.signup);
  const dataDir = resolve(v['data-dir'] ?? 'data');
  const host = v.host ?? '0.0.0.0';
  const log = jsonLogger(io);
  const token = operatorToken(v['operator-token-file']);
  const mailer = mailerFromOptions(v);
  const openData = openDataTerms(v);
  const cluster = await joinCluster(v, 'airbox-serve', { failFast: true });
  // An SMTP server that is down at start may be up by the first mail: said, not fatal.
  mailer?.verify().catch((e: unknown) => log('mail-unreachable', { error: (e as Error).message }));
  return {
    v,
    io,
    log,
    dataDir,
    host,
    handoff,
    cluster,
    operatorToken: token,
    mailer,
    publicUrl: publicUrl(v),
    openData,
    signup,
  };
}

export async function openData({ v, io, log, dataDir }: ServeBase): Promise<ServeData> {
  const store = await openStore(v, dataDir);
  const registry = await openRegistryAt(v.registry ?? dataDirRegistry(dataDir), io.now);
  // Told once when the registry stops answering (boxes go on connecting with what the view
  // last read) and once when it answers again.
  const view = await RegistryView.open(registry.devices, { log });
  const devices = refreshingDevices(registry.devices, view);
  // The active calibration models, hot-reloaded: a refit or `airbox calibrate activate`
  // takes effect on the next reading without a restart.
  const models = openModelRegistry({ dataDir, now: io.now });
  const calibration = registryProvider(models, {
    now: io.now,
    onError: (e) => log('calibration-reload-failed', { error: String(e) }),
  });
  return { store, registry, view, devices, models, calibration };
}

/** The stream worker, the broker in front of it, and the relays of a scaled-out node. */
export async function startIngest(base: ServeBase, data: ServeData): Promise<ServeIngest> {
  const { io, cluster, handoff } = base;
  const worker = new StreamWorker({
    store: data.store,
    now: io.now,
    calibration: data.calibration.provider,
    // A box registered in the browser with a position picked on the map, sending none itself.
    registeredPosition: (id) => {
      const d = data.view.device(id);
      const [lat, lon] = [d?.lat ?? null, d?.lon ?? null];
      return lat === null || lon === null ? null : { lat, lon };
    },
    // One budget for the worker's dead letters and the broker's refusals (brokerOptions).
    deadLetterBudget: deadLetterBudget(base.v, io.now),
  });
  const sink = readingSink(handoff, worker, cluster);
  // Every PUBLISH as received, for the maker page's raw tail (/api/v1/devices/:id/raw.sse);
  // scaled out, a box's messages reach the tail on whichever node serves it.
  const rawMessages = new RawBus();
  const rawRelay = cluster && (await startRawRelay(rawMessages, cluster.redis, cluster.keys));
  let loginOf: (clientId: string | null) => string | null = () => null;
  const deadLetters = refusedLetters(data.store, worker.deadLetterBudget, () => loginOf);
  const tap: BrokerOptions['rawTap'] = rawRelay ? rawRelay.tap : (m) => rawMessages.publish(m);
  const broker = await startBroker(brokerOptions(base, data, { sink, rawTap: tap, deadLetters }));
  loginOf = trackLogins(broker.aedes);
  // Readings stored by other processes' workers reach this node's live map through Redis.
  const stopRelay =
    cluster !== null && handoff !== 'embedded'
      ? await relayLive(worker.live, cluster.redis, cluster.keys)
      : null;
  return { worker, sink, rawMessages, rawRelay, broker, stopRelay };
}

function brokerOptions(
  { v, io, log, dataDir, host, cluster }: ServeBase,
  { view }: ServeData,
  { sink, rawTap, deadLetters }: Pick<BrokerOptions, 'sink' | 'rawTap' | 'deadLetters'>,
): BrokerOptions {
  return {
    registry: view,
    sink,
    deadLetters,
    persistenceDir: join(dataDir, 'broker'),
    redis: cluster?.redis,
    allowAnonymousLass: v['allow-anonymous-lass'] ?? false,
    maxPayloadBytes: positiveNumber('max-payload-bytes', v['max-payload-bytes'], 65_536),
    rawTap,
    ratePerS: positiveNumber('rate', v.rate, 5),
    rateBurst: 200,
    ...brokerLimits(v, v.demo ? demoDevices(v) : 0),
    host,
    mqttPort: port('mqtt-port', v['mqtt-port'], 1883),
    wsPort: port('ws-port', v['ws-port'], 8083),
    tls:
      v['tls-cert'] && v['tls-key']
        ? {
            certFile: v['tls-cert'],
            keyFile: v['tls-key'],
            port: port('tls-port', v['tls-port'], 8883),
          }
        : null,
    now: io.now,
    log,
  };
}
