import { CodedError, type ReadingSink, type RefusalCode } from '@airbox/contracts';
import type { DeadLetter } from '@airbox/store';
import { authenticated } from './checks/authenticated.ts';
import {
  carriesReadings,
  type PublishAttempt,
  type PublishCheck,
  type PublishContext,
} from './checks/context.ts';
import { firstRefusal, type Refusal } from './checks/verdict.ts';
import type { TappedMessage } from './raw-bus.ts';
import { sinkOutcome, tappedMessage, type TapOutcome } from './tap.ts';

/** The stages a PUBLISH passes after Aedes hands it over, and where refusals go. */
export interface PublishStages {
  /** Run in order after `authenticated`; the first refusal ends the pipeline. */
  checks: readonly PublishCheck[];
  /** Where accepted readings go before the PUBACK; null leaves them to MQTT subscribers. */
  sink: ReadingSink | null;
  deadLetters: (letter: DeadLetter) => Promise<void>;
  rawTap: ((message: TappedMessage) => void) | undefined;
  log: (event: string, fields: Record<string, unknown>) => void;
  /** Counts a refused PUBLISH, for /metrics. */
  counted: () => void;
}

/** A refused PUBLISH: Aedes closes the connection (MQTT 3.1.1 §3.3.5 leaves no other signal). */
class Refused extends CodedError<RefusalCode> {}

/**
 * Aedes' authorizePublish for a client's PUBLISH: authenticated → the checks in order →
 * hand-off to the sink → raw tap. A refusal is kept as a dead letter, logged and tapped,
 * then rejects so Aedes closes the connection ([MQTT-3.3.5-2]: no negative PUBACK). It
 * resolves once the sink has the message, so Aedes sends the PUBACK only then.
 */
export async function authorizePublish(
  stages: PublishStages,
  attempt: PublishAttempt,
  will: boolean,
): Promise<void> {
  const tap = (result: TapOutcome) => stages.rawTap?.(tappedMessage(attempt, will, result));
  const ctx = authenticated(attempt);
  if ('ok' in ctx) return refuse(stages, attempt, ctx, tap);
  const pending = firstRefusal(stages.checks, ctx);
  const verdict = pending instanceof Promise ? await pending : pending;
  if (!verdict.ok) return refuse(stages, attempt, verdict, tap);
  let outcome: TapOutcome;
  try {
    const handled = handOff(stages.sink, ctx);
    outcome = handled instanceof Promise ? await handled : handled;
  } catch (e) {
    tap({ outcome: 'unacknowledged', reason: e instanceof Error ? e.message : String(e) });
    throw e;
  }
  tap(outcome);
}

/**
 * The hand-off stage: readings are stored or queued (or dead-lettered) before Aedes sends
 * the PUBACK; a failure rejects, the connection closes unacknowledged and the device sends
 * it again. Status messages, and every message without a sink, go to MQTT subscribers.
 */
function handOff(sink: ReadingSink | null, ctx: PublishContext): TapOutcome | Promise<TapOutcome> {
  if (sink === null || !carriesReadings(ctx.parsed)) return { outcome: 'accepted' };
  const { who, client, topic, payload, receivedAtMs } = ctx;
  return sink
    .handle({
      topic,
      payload,
      clientId: client.id,
      receivedAtMs,
      partitionKey: who.role === 'device' ? who.deviceId : client.id,
    })
    .then(sinkOutcome);
}

/** Keeps a refused PUBLISH as a dead letter, logs and taps it, and rejects. */
async function refuse(
  stages: PublishStages,
  attempt: PublishAttempt,
  { code, reason, keep }: Refusal,
  tap: (result: TapOutcome) => void,
): Promise<never> {
  const { client, topic, receivedAtMs } = attempt;
  stages.counted();
  await stages.deadLetters({
    receivedAt: new Date(receivedAtMs).toISOString(),
    topic,
    payload: keep ?? attempt.payload,
    clientId: client.id,
    code,
    reason,
  });
  stages.log('publish-refused', { clientId: client.id, topic, code, reason });
  tap({ outcome: 'refused', code, reason });
  throw new Refused(code, reason);
}
