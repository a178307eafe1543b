import { readFileSync } from 'node:fs';
import type { Aedes, Client } from 'aedes';
import { DeadLetterBudget, DEFAULT_DEAD_LETTER_BUDGET } from '@airbox/ingest';
import type { DeadLetter, ReadingStore } from '@airbox/store';
import { positiveNumber } from '../args.ts';
import { UsageError } from '../io.ts';

/**
 * Who may read dead letters and how many are kept: the operator token, the budget the
 * broker's refusals and the worker's letters share, and the box a refusal belongs to.
 */

/** Flags of the commands that run a worker (`serve`, `worker`). */
export const DEAD_LETTER_OPTIONS = {
  'dead-letter-bytes': { type: 'string' },
  'dead-letter-rate': { type: 'string' },
} as const;

export const DEAD_LETTER_USAGE = `Dead letters (refused and undecodable messages) kept in the store:
  --dead-letter-bytes N    bytes of them kept per MQTT client id an hour (default 1048576);
                           the rest are counted (airbox_dead_letters_dropped_total)
  --dead-letter-rate N     letters kept a second over all clients, on average (default ${DEFAULT_DEAD_LETTER_BUDGET.lettersPerS})`;

export function deadLetterBudget(
  v: { 'dead-letter-bytes'?: string; 'dead-letter-rate'?: string },
  now: () => number,
): DeadLetterBudget {
  const { bytesPerClientPerHour, lettersPerS } = DEFAULT_DEAD_LETTER_BUDGET;
  return new DeadLetterBudget({
    bytesPerClientPerHour: positiveNumber(
      'dead-letter-bytes',
      v['dead-letter-bytes'],
      bytesPerClientPerHour,
    ),
    lettersPerS: positiveNumber('dead-letter-rate', v['dead-letter-rate'], lettersPerS),
    now,
  });
}

/** Shorter tokens are refused: the token is all that stands between anyone and every payload. */
const MIN_TOKEN_CHARS = 16;

/**
 * The operator token: `--operator-token-file FILE` (its first line), else the
 * AIRBOX_OPERATOR_TOKEN environment variable, else none (only owners read dead letters).
 */
export function operatorToken(
  file: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  let token: string | undefined;
  let where: string;
  if (file !== undefined) {
    try {
      token = readFileSync(file, 'utf8').split(/\r?\n/)[0]?.trim();
    } catch (error) {
      throw new UsageError(`--operator-token-file ${file}: ${(error as Error).message}`);
    }
    where = `--operator-token-file ${file}`;
  } else {
    token = env['AIRBOX_OPERATOR_TOKEN']?.trim();
    if (token === undefined) return undefined;
    where = 'AIRBOX_OPERATOR_TOKEN';
  }
  if (token === undefined || token.length < MIN_TOKEN_CHARS || /\s/.test(token)) {
    throw new UsageError(
      `${where}: the operator token must be at least ${MIN_TOKEN_CHARS} characters without spaces (e.g. openssl rand -hex 32)`,
    );
  }
  return token;
}

/**
 * The user name each MQTT connection logged in with, read by client id: the box a refused
 * PUBLISH belongs to. The broker (ingest/src/broker) hands a refusal over with the client id
 * only, so its authenticate hook is wrapped here, after startBroker set it. A connection
 * made before the wrap, or one that took over a client id while its predecessor's refusal
 * was being written, may be unknown or another's: the letter then belongs to nobody or to
 * the connection that holds the id, and a client id is the publisher's own choice.
 */
export function trackLogins(aedes: Aedes): (clientId: string | null) => string | null {
  const logins = new WeakMap<Client, string>();
  const authenticate = aedes.authenticate.bind(aedes);
  aedes.authenticate = (client, username, password, done) =>
    authenticate(client, username, password, (error, ok) => {
      if (error === null && ok === true && username !== undefined) logins.set(client, username);
      done(error, ok);
    });
  // Aedes's typings leave out its table of connected clients, which every broker keeps.
  const table = aedes as unknown as { clients: Record<string, Client | undefined> };
  return (clientId) => {
    const client = clientId === null ? undefined : table.clients[clientId];
    return client === undefined ? null : (logins.get(client) ?? null);
  };
}

/**
 * The broker's `deadLetters`: a refused PUBLISH belongs to the box that logged in, and is
 * stored only within the budget (the refusal itself still closes the connection and counts).
 */
export function refusedLetters(
  store: ReadingStore,
  budget: DeadLetterBudget,
  loginOf: () => (clientId: string | null) => string | null,
): (letter: DeadLetter) => Promise<void> {
  return (letter) =>
    budget.keep({ ...letter, deviceId: loginOf()(letter.clientId) }, (l) => store.addDeadLetter(l));
}
