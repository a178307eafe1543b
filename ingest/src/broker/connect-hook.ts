import type { Aedes, AuthenticateError, Client } from 'aedes';
import type { Principal } from './acl.ts';
import type {
  AdmitCheck,
  ConnackRefusal,
  ConnectCheck,
  ConnectContext,
  ConnectRefusal,
  ConnectVerdict,
} from './checks/context.ts';
import type { LiveClients } from './live-clients.ts';

/** What the CONNECT hook decides with, and where it keeps what it let in. */
export interface ConnectStages {
  /** Who the client is: the first check that answers wins. */
  identify: readonly ConnectCheck[];
  /** Whether that client may connect now: the first refusal wins. */
  admit: readonly AdmitCheck[];
  principals: WeakMap<Client, Principal>;
  live: LiveClients;
  log: (event: string, fields: Record<string, unknown>) => void;
}

/**
 * Aedes' authenticate: identify, then admit. A refusal is logged and answered with its
 * CONNACK return code (MQTT 3.1.1 §3.2.2.3), and Aedes closes the connection
 * ([MQTT-3.2.2-5]). Aedes has set client.id and client.clean from the CONNECT by now.
 */
export function connectHook(stages: ConnectStages): Aedes['authenticate'] {
  return (client, username, password, done) => {
    const verdict = decide(stages, client, { clientId: client.id, username, password });
    if (!verdict.ok) {
      stages.log('auth-refused', { clientId: client.id, ...verdict.log });
      return done(authError(verdict.message, verdict.returnCode), false);
    }
    stages.principals.set(client, verdict.principal);
    stages.live.admit(client, verdict.principal, verdict.stamp);
    done(null, true);
  };
}

function decide(
  { identify, admit }: ConnectStages,
  client: Client,
  ctx: ConnectContext,
): Exclude<ConnectVerdict, null> {
  const identified = firstAnswer(identify, ctx);
  if (!identified.ok) return identified;
  const admitCtx = { clientId: client.id, clean: client.clean, who: identified.principal };
  for (const check of admit) {
    const verdict = check(admitCtx);
    if (!verdict.ok) return verdict;
  }
  return identified;
}

/** The first connect check with something to say; none is a refusal (return code 5). */
function firstAnswer(
  checks: readonly ConnectCheck[],
  ctx: ConnectContext,
): Exclude<ConnectVerdict, null> {
  for (const check of checks) {
    const verdict = check(ctx);
    if (verdict !== null) return verdict;
  }
  const refused: ConnectRefusal = {
    ok: false,
    returnCode: 5,
    message: `${ctx.clientId} is not authorized`,
    log: {},
  };
  return refused;
}

function authError(message: string, returnCode: ConnackRefusal): AuthenticateError {
  return Object.assign(new Error(message), { returnCode });
}
