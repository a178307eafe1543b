/**
 * How the app asks the server: JSON requests whose answer is parsed with a zod schema
 * (outside input), an error answer becoming an ApiClientError with the API's stable code.
 */
import { CodedError } from '@airbox/contracts';
import { z } from 'zod';

/** The API's `{ error: { code, message } }` (or `http`, `bad-answer`) with the HTTP status. */
export class ApiClientError extends CodedError {
  // Spelled out: the production bundle is minified, which renames classes (new.target.name).
  override readonly name = 'ApiClientError';
  readonly status: number;

  constructor(status: number, code: string, message: string) {
    super(code, message);
    this.status = status;
  }
}

const ErrorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

export async function request<S extends z.ZodType>(
  path: string,
  schema: S,
  init?: RequestInit,
): Promise<z.output<S>> {
  const res = await fetch(path, {
    ...init,
    headers: { accept: 'application/json', ...init?.headers },
  });
  if (!res.ok) throw await errorOf(res);
  const body: unknown = await res.json().catch(() => null);
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new ApiClientError(res.status, 'bad-answer', `${path}: ${parsed.error.message}`);
  }
  return parsed.data;
}

/** The coded error of a refused answer (its body read). */
export async function errorOf(res: Response): Promise<ApiClientError> {
  const parsed = ErrorBodySchema.safeParse(await res.json().catch(() => null));
  const error = parsed.success
    ? parsed.data.error
    : { code: 'http', message: `HTTP ${res.status}` };
  return new ApiClientError(res.status, error.code, error.message);
}

export const q = (params: Record<string, string | number | undefined>) => {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) search.set(k, String(v));
  return search.toString();
};

export const iso = (ms: number) => new Date(ms).toISOString();
export const enc = encodeURIComponent;

/** HTTP Basic (RFC 7617): the box's MQTT username (its id) and password. */
export function basic(user: string, password: string): string {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}
