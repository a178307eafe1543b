/**
 * MQTT 3.1.1 by hand for the publishing attacks: one request at a time on a bare socket, so
 * the next bytes the server sends are the answer (CONNACK, PUBACK) or it closes.
 */
import type { Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';
import { connectPacket } from '../raw-client.ts';
import { openSocket } from './wire.ts';

export interface Login {
  clientId: string;
  username?: string;
  password?: string;
}

/** How one connect-and-publish ended, from the client's side. */
export type Outcome =
  | 'acked'
  | 'refused-at-connect'
  | 'closed-at-connect'
  | 'closed-after-publish'
  | 'timeout'
  | 'error';

export type Tally = Record<Outcome, number>;

export const emptyTally = (): Tally => ({
  acked: 0,
  'refused-at-connect': 0,
  'closed-at-connect': 0,
  'closed-after-publish': 0,
  timeout: 0,
  error: 0,
});

type Answer = Buffer | 'closed' | 'timeout';

/** The next chunk the server sends, or that it closed, or nothing within `timeoutMs`. */
function nextAnswer(socket: Socket, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve) => {
    const done = (a: Answer) => {
      clearTimeout(timer);
      socket.off('data', done);
      socket.off('close', onClose);
      resolve(a);
    };
    const onClose = () => done('closed');
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    socket.on('data', done);
    socket.once('close', onClose);
  });
}

/**
 * Connects and logs in; resolves with the socket once a CONNACK accepted it, else with how
 * it ended (the socket is closed then).
 */
export async function openMqtt(
  port: number,
  login: Login,
  timeoutMs: number,
): Promise<Socket | Exclude<Outcome, 'acked' | 'closed-after-publish'>> {
  let socket: Socket;
  try {
    socket = await openSocket(port);
  } catch {
    return 'error';
  }
  socket.write(connectPacket(login.clientId, login.username, login.password));
  const answer = await nextAnswer(socket, timeoutMs);
  if (answer instanceof Buffer && answer[0] === 0x20 && answer[3] === 0) return socket;
  socket.destroy();
  if (answer === 'closed') return 'closed-at-connect';
  return answer === 'timeout' ? 'timeout' : 'refused-at-connect';
}

export interface Publish {
  topic: string;
  payload: string | Buffer;
  retain?: boolean;
}

/** Connects, sends one QoS 1 PUBLISH and waits for its PUBACK or the close; disconnects. */
export async function connectAndPublish(
  port: number,
  login: Login,
  publish: Publish,
  timeoutMs = 10_000,
): Promise<Outcome> {
  const socket = await openMqtt(port, login, timeoutMs);
  if (typeof socket === 'string') return socket;
  socket.write(
    mqttPacket.generate({
      cmd: 'publish',
      topic: publish.topic,
      payload: publish.payload,
      qos: 1,
      messageId: 1,
      retain: publish.retain ?? false,
      dup: false,
    }),
  );
  const answer = await nextAnswer(socket, timeoutMs);
  // DISCONNECT (§3.14), as a box that is done sends it.
  if (answer !== 'closed') socket.end(Buffer.from([0xe0, 0x00]));
  if (answer === 'closed') return 'closed-after-publish';
  return answer === 'timeout' ? 'timeout' : answer[0] === 0x40 ? 'acked' : 'error';
}

/**
 * `loops` reconnect loops at once, each running `attempt` (the attempt's number in all, the
 * loop's index) again as soon as the last ended, until `untilMs` or `maxAttempts` attempts
 * in all; tallies how they ended.
 */
export async function reconnectLoops(
  loops: number,
  untilMs: number,
  maxAttempts: number,
  attempt: (n: number, loop: number) => Promise<Outcome>,
): Promise<{ tally: Tally; attempts: number }> {
  const tally = emptyTally();
  let attempts = 0;
  const loop = async (_: unknown, index: number) => {
    while (Date.now() < untilMs && attempts < maxAttempts) {
      tally[await attempt(attempts++, index)]++;
    }
  };
  await Promise.all(Array.from({ length: loops }, loop));
  return { tally, attempts };
}

/** A tally as words, the outcomes that happened only: "acked 12, closed-after-publish 3". */
export function tallyWords(tally: Tally): string {
  const seen = Object.entries(tally).filter(([, n]) => n > 0);
  return seen.length === 0 ? 'nothing' : seen.map(([k, n]) => `${k} ${n}`).join(', ');
}
