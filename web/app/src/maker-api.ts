/**
 * The maker page's calls: a box's raw MQTT tail, its dead letters, and its retained status
 * and config (the app-only /app/v1 routes). Answers are parsed as in api.ts.
 */
import { z } from 'zod';
import { basic, enc, errorOf, q, request } from './http.ts';

/** One MQTT message of a box as the broker received it (/api/v1/devices/:id/raw.sse). */
export const RawMessageSchema = z.object({
  seq: z.number(),
  topic: z.string(),
  receivedAt: z.string(),
  bytes: z.number(),
  text: z.string(),
  truncated: z.boolean(),
  will: z.boolean().optional(),
  outcome: z.string(),
  code: z.string().optional(),
  reason: z.string().optional(),
  readings: z.number().optional(),
  duplicates: z.number().optional(),
});
export type RawMessage = z.output<typeof RawMessageSchema>;

/** The device's retained status (firmware-sim/src/device/status.ts), as the server relays it. */
export const DeviceStatusSchema = z.object({
  online: z.boolean(),
  firmware: z.string().optional(),
  uptimeS: z.number().optional(),
  backlog: z.number().optional(),
  droppedReadings: z.number().optional(),
  lastError: z.string().nullable().optional(),
  intervalS: z.number().optional(),
  samplesPerReport: z.number().optional(),
  format: z.string().optional(),
  time: z.string().optional(),
});
export type DeviceStatus = z.output<typeof DeviceStatusSchema>;

/** What may be set remotely (firmware-sim RemoteConfigSchema). */
export interface RemoteConfig {
  intervalS?: number;
  samplesPerReport?: number;
  format?: 'native' | 'lass';
  brokerUrl?: string;
}

/**
 * How the page speaks for the box's owner: the box's password (HTTP Basic), or the owner's
 * session — the cookie goes by itself; a change carries the session's CSRF token.
 */
export type OwnerAuth = { password: string } | { csrfToken: string };

function ownerHeaders(id: string, auth: OwnerAuth): Record<string, string> {
  return 'password' in auth
    ? { authorization: basic(id, auth.password) }
    : { 'x-csrf-token': auth.csrfToken };
}

export const makerApi = {
  /** The event stream of a box's raw MQTT messages, for an EventSource. */
  rawTailUrl: (id: string) => `/api/v1/devices/${enc(id)}/raw.sse`,

  /**
   * Whether this visitor may follow the box's tail (its owner, organisation or an operator,
   * signed in): asked first, since an EventSource refused only says it closed, not why.
   * Resolves when the server opens the stream, which is then let go; throws the coded refusal.
   */
  rawTailOpens: async (id: string): Promise<void> => {
    const res = await fetch(makerApi.rawTailUrl(id), { headers: { accept: 'text/event-stream' } });
    if (!res.ok) throw await errorOf(res);
    await res.body?.cancel();
  },

  /** The box's own dead letters, newest first: its owner's credentials only. */
  deadLetters: async (id: string, auth: OwnerAuth, limit: number) =>
    (
      await request(
        `/api/v1/devices/${enc(id)}/dead-letters?${q({ limit })}`,
        z.object({
          deadLetters: z.array(
            z.object({
              receivedAt: z.string(),
              topic: z.string(),
              payloadText: z.string(),
              truncated: z.boolean(),
              code: z.string(),
              reason: z.string(),
            }),
          ),
        }),
        { headers: ownerHeaders(id, auth) },
      )
    ).deadLetters,

  makerStatus: async (id: string) =>
    (await request(`/app/v1/devices/${enc(id)}/status`, z.object({ status: DeviceStatusSchema })))
      .status,

  makerConfig: async (id: string, auth: OwnerAuth) =>
    await request(
      `/app/v1/devices/${enc(id)}/config`,
      z.object({ config: z.record(z.string(), z.unknown()).nullable(), topic: z.string() }),
      { headers: ownerHeaders(id, auth) },
    ),

  publishConfig: (id: string, auth: OwnerAuth, config: RemoteConfig) =>
    request(`/app/v1/devices/${enc(id)}/config`, z.object({ topic: z.string() }), {
      method: 'PUT',
      headers: { ...ownerHeaders(id, auth), 'content-type': 'application/json' },
      body: JSON.stringify(config),
    }),
};
