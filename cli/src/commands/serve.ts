import {
  DEFAULT_ANONYMOUS_IDS_PER_MINUTE,
  DEFAULT_BACKPRESSURE_LAG_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_MAX_ANONYMOUS_CONNECTIONS,
  DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
  DEFAULT_MAX_PENDING_CONNECTIONS,
  FALLBACK_MAX_CONNECTIONS,
} from '@airbox/ingest';
import { CLUSTER_USAGE } from '../cluster-options.ts';
import { DEFAULT_HEAP_GROWTH_PERCENT, limitHeapGrowth } from '../heap-growth.ts';
import type { CliIo, Command } from '../io.ts';
import { openData, prepare, startIngest } from '../serve/ingest.ts';
import { DEAD_LETTER_USAGE } from '../serve/dead-letters.ts';
import { startHealthChecks } from '../serve/health.ts';
import { parseServeArgs, SERVE_OPTIONS } from '../serve/options.ts';
import {
  announce,
  startApi,
  startDemo,
  startMonitoring,
  startRefits,
  startTasks,
} from '../serve/services.ts';
import { startArchives } from '../serve/archives.ts';
import { stopServe } from '../serve/stop.ts';
import { MAIL_USAGE } from '../mail-options.ts';
import { OPEN_DATA_USAGE } from '../open-data-options.ts';
import { DELIVERY_USAGE, startDelivery, subscriptionHooks } from '../serve/alert-delivery.ts';
import { ALERT_USAGE, startAlerts } from '../serve/alerts.ts';
import { waitForSignal } from '../signals.ts';
import { STORE_USAGE } from '../store-options.ts';
import { REFERENCE_FEED_USAGE } from './reference.ts';

const usage = `usage: airbox serve [options]

Runs the broker, the stream worker, the store and the HTTP API in one process, on
embedded defaults (SQLite in the data dir, no external service).

  --data-dir DIR           where the store, device registry and broker sessions live (default ./data)
  --registry FILE|URL      the registry of boxes, accounts and organisations (default
                           DATA_DIR/devices.db). Brokers of one deployment share it: a SQLite
                           file on one host, or postgres://USER:PASSWORD@HOST:PORT/DB across
                           hosts; each sees the others' changes within a second
  --host ADDR              address to listen on (default 0.0.0.0; 127.0.0.1 for local only)
  --mqtt-port N            MQTT over TCP (default 1883; 0 = pick a free port)
  --ws-port N              MQTT over WebSocket at /mqtt (default 8083; 0 = free port)
  --http-port N            HTTP API (default 8080; 0 = free port)
  --tls-cert FILE --tls-key FILE [--tls-port N]   MQTT over TLS as well (default port 8883)
  --allow-anonymous-lass   accept LASS publishers without credentials (on LASS topics only;
                           never as a registered device, nor under its client id)
  --max-anonymous-connections N   anonymous clients connected at once (default ${DEFAULT_MAX_ANONYMOUS_CONNECTIONS})
  --anonymous-ids-per-minute N    new anonymous device_ids taken a minute (default ${DEFAULT_ANONYMOUS_IDS_PER_MINUTE});
                           a box already heard from in the last hour always gets in
  --max-payload-bytes N    refuse larger PUBLISH payloads (default 65536)
  --rate N                 messages/s allowed per device on average, over all its connections
                           (default 5; bursts of 200)
  --max-connections N      open connections at most, MQTT listeners together; past it a new one
                           is closed at once (default: the open-files limit less 10 % or 1,024,
                           whichever is larger; ${FALLBACK_MAX_CONNECTIONS.toLocaleString('en-US')} when it is unknown)
  --max-connections-per-address N   open connections at most from one address (default
                           ${DEFAULT_MAX_CONNECTIONS_PER_ADDRESS}; with --demo, room for its boxes too). 0 = no cap: behind a
                           TCP proxy such as HAProxy every client has the proxy's address
  --connect-timeout S      close a connection that has not sent its whole CONNECT this many
                           seconds after it was accepted (TLS and WebSocket handshakes
                           included; default ${DEFAULT_CONNECT_TIMEOUT_MS / 1000})
  --max-pending-connections N   connections waiting for their CONNECT at most (default
                           ${DEFAULT_MAX_PENDING_CONNECTIONS}); past it a new one takes the place of the one waiting
                           longest if that has waited 1 s, else it is closed at once
  --backpressure-lag-ms N  when the event loop runs more than N ms late, stop handling PUBLISHes
                           (their connections are not read, their PUBACKs wait) until it is
                           back under N/2, so /healthz, the API and CONNECTs keep answering;
                           /readyz says not ready meanwhile (default ${DEFAULT_BACKPRESSURE_LAG_MS}; 0 = never pause)
  --heap-growth-percent N  let V8's heap grow N % past what its last full collection kept
                           before the next (default ${DEFAULT_HEAP_GROWTH_PERCENT}; 0 = V8's own, up to 300 % on a large
                           machine): bounds the garbage connection churn leaves
  --operator-token-file FILE   the operator's secret (its first line, at least 16 characters;
                           or the AIRBOX_OPERATOR_TOKEN environment variable): with
                           'Authorization: Bearer <token>' it reads every box's dead letters
                           (GET /api/v1/dead-letters); without one only a box's owner reads its
                           own (GET /api/v1/devices/ID/dead-letters with the box's credentials)
  --signup open|closed     whether anyone may make an account in the browser (default open);
                           closed: operators add them (airbox account add), the sign-in page
                           shows no sign-up form and POST /api/v1/accounts answers 403
  --trust-proxy ADDRS      the reverse proxies (comma-separated addresses or CIDRs, or 'true' for
                           any) whose X-Forwarded-For names the client: without it every visitor
                           behind a proxy shares the proxy's per-IP rate limit
  --map-style URL          a MapLibre style for the map's base layer (production tiles);
                           default: the bundled offline map of Taiwan
  --no-archive             do not write the daily open-data archive (DATA_DIR/archive, served at
                           /archive/; 'airbox archive --day' writes a day by hand)
  --health-every S         judge every box's health every S seconds (default 300), from the
                           hourly roll-up, in a task thread; drift and indoor-like hourly
  --no-health              run no health checks (devices are \`unknown\`)
  --no-refit               do not refit calibration models daily (they can be fitted with
                           'airbox calibrate fit'; the worker still applies the active ones)
  --handoff MODE           where accepted readings go (default embedded):
                           embedded  stored by this process before the device gets its PUBACK
                           mqtt      left to 'airbox worker --broker' subscribers (their
                                     persistent sessions queue them while they are away)
                           stream    appended to the Redis stream (by device) before the PUBACK,
                                     for 'airbox worker --redis' workers; needs --redis
  --no-worker              the same as --handoff mqtt
  --demo                   add the fleet simulator: boxes beside every reference station and
                           over Taiwan's cities, the simulated reference network, and the last
                           days of history first (truth in DATA_DIR/demo-truth.csv)
  --demo-devices N         boxes in the demo fleet (default 200)
  --demo-history-hours N   hours simulated before live (default 72, the three days a box
                           needs for a model of its own; 0 = live only)

${DEAD_LETTER_USAGE}

${MAIL_USAGE}

${OPEN_DATA_USAGE}

${ALERT_USAGE}

${DELIVERY_USAGE}

${REFERENCE_FEED_USAGE}

${STORE_USAGE}

${CLUSTER_USAGE}
  With --redis, this broker keeps sessions, retained messages and queued QoS 1 messages in
  Redis and exchanges messages with the other brokers through it: several serve processes
  behind one address (a TCP load balancer) act as one broker.

Prints one JSON line with the chosen ports on stdout when ready; logs go to stderr.
Stops gracefully on SIGINT/SIGTERM: stops accepting, stores what was accepted, closes.`;

export { SERVE_OPTIONS };

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run broker + worker + store + HTTP API in one process (--demo adds a fleet)',
  usage,
  async run(argv: string[], io: CliIo): Promise<number> {
    const values = parseServeArgs(argv);
    limitHeapGrowth(values['heap-growth-percent']);
    const base = await prepare(values, io);
    const data = await openData(base);
    const ingest = await startIngest(base, data);
    const tasks = startTasks();
    const monitoring = startMonitoring(base, data, ingest, tasks);
    const refits = startRefits(base, data, tasks);
    // Evaluation finds events and hands them to delivery's outbox; delivery asks the
    // subscriptions whether one is still on, and stops one from its unsubscribe link.
    const alertHooks = subscriptionHooks(data.registry);
    const delivery = startDelivery(base, data, alertHooks);
    const alerts = await startAlerts(base, data, ingest, delivery);
    const health = startHealthChecks(base, data, tasks);
    const { api, ports } = await startApi(base, data, ingest, monitoring, tasks, {
      alertHooks,
      alerts,
      health,
    });
    const archives = startArchives(base, tasks, () => ports.http);
    const demo = await startDemo(base, data, ports, refits, archives);
    announce(base, ports, demo);
    await waitForSignal();
    await stopServe({
      ...{ base, data, ingest, monitoring, tasks, refits, archives, health },
      ...{ alerts, delivery, api, demo },
    });
    return 0;
  },
};
