import { RegistryError } from './port.ts';

/** Node's socket errors: nothing answers at the address, or the link to it broke. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs that mean "the database cannot serve us", not "this statement is wrong"
 * (PostgreSQL manual, Appendix A): class 08 connection exception, 57P01 admin_shutdown,
 * 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up, shutting down, recovering),
 * 53300 too_many_connections, class 28 invalid authorization (a wrong password in
 * --registry), 3D000 invalid_catalog_name (its database does not exist).
 */
const SERVER_STATES = new Set(['57P01', '57P02', '57P03', '53300', '3D000']);
const SERVER_CLASSES = new Set(['08', '28']);

/** pg's own errors for a lost or never-made connection carry no code, only these messages. */
const CLIENT_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /is not queryable$/,
  /^Query read timeout/,
];

function unavailableReason(err: unknown): string | null {
  if (!(err instanceof Error)) return null;
  const code = 'code' in err && typeof err.code === 'string' ? err.code : '';
  if (NETWORK_CODES.has(code)) return `is unreachable (${code})`;
  if (SERVER_STATES.has(code) || SERVER_CLASSES.has(code.slice(0, 2)))
    return `refused to serve: ${err.message} (SQLSTATE ${code})`;
  if (CLIENT_MESSAGES.some((m) => m.test(err.message))) return `is unreachable: ${err.message}`;
  return null;
}

/**
 * A failure to reach the database becomes RegistryError 'unavailable' naming the server as
 * host:port/database (never the URL: it holds the password); any other error (a constraint,
 * the stores' own RegistryErrors) passes through as it is.
 */
export function mapPostgresError(err: unknown, where: string): unknown {
  if (err instanceof RegistryError) return err;
  const reason = unavailableReason(err);
  if (reason === null) return err;
  return new RegistryError('unavailable', `the registry's PostgreSQL at ${where} ${reason}`, {
    cause: err,
    hint: 'check that PostgreSQL runs and that --registry names its host, port, database, user and password',
  });
}

/** host:port/database of a postgres:// URL, for messages; 'invalid-input' if it is none. */
export function describeTarget(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RegistryError(
      'invalid-input',
      'the registry URL is not a URL (want postgres://USER:PASSWORD@HOST:PORT/DATABASE)',
    );
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:')
    throw new RegistryError(
      'invalid-input',
      `the registry URL starts with ${parsed.protocol}// (want postgres://USER:PASSWORD@HOST:PORT/DATABASE)`,
    );
  // libpq's ?host=/run/postgresql names a socket directory instead of a host.
  const host = parsed.searchParams.get('host') ?? (parsed.hostname || 'localhost');
  const database = decodeURIComponent(parsed.pathname.slice(1)) || '(the user name)';
  return `${host}:${parsed.port || '5432'}/${database}`;
}
