import { sendTest, type Subscription } from '@airbox/alerts';
import { OUTBOX_STATES, type OutboxMessage, type Registry } from '@airbox/registry';
import { parseCommandArgs, positiveNumber } from '../args.ts';
import { subscriptionById } from '../alert-subscriptions.ts';
import { UsageError, type CliIo, type Command } from '../io.ts';
import {
  REGISTRY_OPTIONS,
  REGISTRY_USAGE,
  registryLocation,
  reportRegistryError,
  withRegistry,
} from '../registry-options.ts';

const usage = `usage: airbox alerts <test ID | outbox> [options] [--data-dir DIR] [--registry FILE|URL]

  test ID           puts a test message for subscription ID in the outbox, waits for a
                    running 'airbox serve' to deliver it, and prints the outcome as JSON
                    ({"key","state","attempts","lastError",…}); exit 0 once delivered, 1 if it
                    failed or is still waiting. Quiet hours do not hold a test
    --wait SECONDS    how long to wait (default 60)
  outbox            the newest messages of the outbox, one JSON object per line
    --pending         only those not yet delivered or given up on
    --subscription ID only this subscription's
    --limit N         at most N (default 50)

${REGISTRY_USAGE}`;

const DEFAULT_WAIT_MS = 60_000;

export const alertsCommand: Command = {
  name: 'alerts',
  summary: 'send a test alert and see what the alert outbox holds',
  usage,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs(
      argv,
      {
        ...REGISTRY_OPTIONS,
        wait: { type: 'string' },
        pending: { type: 'boolean' },
        subscription: { type: 'string' },
        limit: { type: 'string' },
      },
      2,
    );
    const [action, id] = positionals;
    const location = registryLocation(values);
    try {
      if (action === 'test') {
        if (id === undefined) throw new UsageError('alerts test needs a subscription ID');
        const waitMs = positiveNumber('wait', values.wait, DEFAULT_WAIT_MS / 1000) * 1000;
        return await withRegistry(location, io.now, async (registry) => {
          const subscription = await subscriptionById(registry, id);
          if (subscription === null) throw new UsageError(`no subscription '${id}'`);
          return runAlertTest(registry, subscription, io, waitMs);
        });
      }
      if (action === 'outbox') {
        if (id !== undefined) throw new UsageError(`unexpected '${id}'`);
        const limit = positiveNumber('limit', values.limit, 50);
        return await withRegistry(location, io.now, async (registry) => {
          const rows = await registry.alertOutbox.listRecent({
            limit,
            ...(values.pending ? { state: OUTBOX_STATES[0] } : {}),
            ...(values.subscription === undefined ? {} : { subscriptionId: values.subscription }),
          });
          for (const m of rows) io.stdout.write(`${JSON.stringify(outboxLine(m))}\n`);
          io.stderr.write(`alerts outbox: ${rows.length} shown\n`);
          return 0;
        });
      }
      throw new UsageError(`alerts needs test or outbox, not '${action ?? ''}'`);
    } catch (e) {
      return reportRegistryError(io, 'alerts', e);
    }
  },
};

/** Enqueues the test and prints where it ended; 0 once delivered. */
export async function runAlertTest(
  registry: Registry,
  subscription: Subscription,
  io: CliIo,
  waitMs: number,
): Promise<number> {
  const m = await sendTest(registry.alertOutbox, subscription, {
    targetLabel: 'deviceId' in subscription.target ? subscription.target.deviceId : subscription.id,
    nowMs: io.now(),
    waitMs,
  });
  io.stdout.write(`${JSON.stringify(outboxLine(m))}\n`);
  if (m.state === 'pending') {
    io.stderr.write(
      `alerts test: not delivered within ${waitMs / 1000} s${m.lastError === null ? ' (is airbox serve running on this registry?)' : `: ${m.lastError}`}\n`,
    );
  }
  return m.state === 'delivered' ? 0 : 1;
}

/** A row as the operator reads it: the channel's kind and the event, no signing secret. */
function outboxLine(m: OutboxMessage): Record<string, unknown> {
  const channel = (JSON.parse(m.channelJson) as { channel?: { type?: unknown } }).channel;
  const event = (JSON.parse(m.eventJson) as { event?: { type?: unknown; at?: unknown } }).event;
  return {
    key: m.key,
    subscriptionId: m.subscriptionId,
    channel: channel?.type ?? null,
    type: event?.type ?? null,
    at: event?.at ?? null,
    state: m.state,
    attempts: m.attempts,
    nextAttemptAt: m.state === 'pending' ? m.nextAttemptAt : null,
    lastError: m.lastError,
    createdAt: m.createdAt,
    deliveredAt: m.deliveredAt,
  };
}
