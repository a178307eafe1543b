/**
 * Device configuration from outside: a JSON file with CLI-flag overrides at start, and the
 * retained `airbox/v1/<id>/config` topic at run time. One schema per shape; every error
 * names the field, the value (secrets redacted), where it came from and what is wrong.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isValidDeviceId } from '@airbox/protocol';
import { z } from 'zod';
import {
  CLIMATE_CONTROLLERS,
  CLIMATE_CONTROLLER_NAMES,
  i2cHex,
  type ClimateControllerName,
} from '../climate/controllers.ts';
import { PMS_MODEL_NAMES } from '../pms/models.ts';
import { DeviceError } from './errors.ts';

const BROKER_PROTOCOLS = ['mqtt:', 'mqtts:', 'ws:', 'wss:'];

function isBrokerUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  return BROKER_PROTOCOLS.includes(url.protocol) && url.hostname !== '';
}

const deviceIdField = z.string().refine(isValidDeviceId, {
  error: "must be 1–64 letters, digits, '_', '-', '.' or ':' (it is an MQTT topic level)",
});
const brokerUrlField = z.string().refine(isBrokerUrl, {
  error: 'must be an mqtt://, mqtts://, ws:// or wss:// URL with a host',
});
export const WIRE_FORMATS = ['native', 'lass'] as const;
export type WireFormat = (typeof WIRE_FORMATS)[number];
const formatField = z.enum(WIRE_FORMATS);
const intervalSField = z.int().min(1).max(86_400);
const samplesPerReportField = z.int().min(1).max(60);

/** At least a second per sample: a PMS5003 in active mode sends a frame every 0.2–2.3 s. */
function samplesFitInterval(
  v: { intervalS: number; samplesPerReport: number },
  ctx: z.core.$RefinementCtx,
): void {
  if (v.samplesPerReport > v.intervalS) {
    ctx.addIssue({
      code: 'custom',
      path: ['samplesPerReport'],
      message: `${v.samplesPerReport} samples do not fit in ${v.intervalS} s (at most one a second)`,
    });
  }
}

/** An I2C address as JSON can carry it (118) or as datasheets write it ("0x76"). */
const hexAddress = z
  .string()
  .regex(/^0x[0-9a-f]{1,2}$/i)
  .transform((hex) => Number(hex));
const i2cAddressField = z
  .union([z.int(), hexAddress], { error: 'must be an I2C address: a number or hex like "0x76"' })
  .refine((address) => address >= 0x08 && address <= 0x77, {
    error: 'must be a 7-bit I2C address, 0x08…0x77',
  });

/** The address must be one the part can be strapped to (e.g. SHT31D: 0x44 or 0x45). */
function addressFitsController(
  v: { controller: ClimateControllerName; address?: number | undefined },
  ctx: z.core.$RefinementCtx,
): void {
  const { addresses } = CLIMATE_CONTROLLERS[v.controller];
  if (v.address === undefined || addresses.some((a) => a === v.address)) return;
  ctx.addIssue({
    code: 'custom',
    path: ['address'],
    message: `the ${v.controller} answers at ${addresses.map(i2cHex).join(' or ')} only`,
  });
}

export const DeviceConfigSchema = z
  .strictObject({
    deviceId: deviceIdField,
    broker: z.strictObject({
      url: brokerUrlField,
      /** Defaults to the device id, as `airbox device add` registers it. */
      username: z.string().min(1).optional(),
      password: z.string().min(1).optional(),
    }),
    format: formatField.default('native'),
    intervalS: intervalSField.default(60),
    samplesPerReport: samplesPerReportField.default(5),
    buffer: z.strictObject({
      dir: z.string().min(1),
      /** One week of one-minute readings. */
      maxReadings: z.int().min(1).max(1_000_000).default(10_080),
    }),
    /** Absent when the sources are virtual (the fleet simulator). */
    sensor: z
      .strictObject({
        port: z.string().min(1),
        model: z.enum(PMS_MODEL_NAMES).default('PMS5003'),
      })
      .optional(),
    /** A T/RH sensor on a Firmata board's I2C bus; absent: no T/RH (or virtual sources). */
    climate: z
      .strictObject({
        controller: z.enum(CLIMATE_CONTROLLER_NAMES),
        /** Serial device of the board running StandardFirmata. */
        port: z.string().min(1),
        /** Default: the controller's (`CLIMATE_CONTROLLERS`). */
        address: i2cAddressField.optional(),
      })
      .superRefine(addressFitsController)
      .optional(),
    position: z
      .strictObject({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) })
      .optional(),
  })
  .superRefine(samplesFitInterval);
export type DeviceConfig = z.output<typeof DeviceConfigSchema>;
export type DeviceConfigInput = z.input<typeof DeviceConfigSchema>;

/** What the server may change at run time through the retained config topic. */
export const RemoteConfigSchema = z.strictObject({
  intervalS: intervalSField.optional(),
  samplesPerReport: samplesPerReportField.optional(),
  format: formatField.optional(),
  brokerUrl: brokerUrlField.optional(),
});
export type RemoteConfig = z.output<typeof RemoteConfigSchema>;

/** A config message longer than this is refused unread (the bound on what we parse). */
export const MAX_REMOTE_CONFIG_BYTES = 4096;

export type RemoteConfigResult = { ok: true; config: RemoteConfig } | { ok: false; error: string };

/**
 * Validates a retained config message against the sampling it would leave in force.
 * An empty payload (the retained message was cleared) is an empty config.
 */
export function parseRemoteConfig(
  payload: Uint8Array,
  current: { intervalS: number; samplesPerReport: number },
): RemoteConfigResult {
  if (payload.length === 0) return { ok: true, config: {} };
  if (payload.length > MAX_REMOTE_CONFIG_BYTES) {
    return {
      ok: false,
      error: `config is ${payload.length} bytes; at most ${MAX_REMOTE_CONFIG_BYTES}`,
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch (e) {
    return { ok: false, error: `config is not JSON: ${(e as Error).message}` };
  }
  const schema = RemoteConfigSchema.transform((c, ctx) => {
    samplesFitInterval({ ...current, ...c }, ctx);
    return c;
  });
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, config: parsed.data };
  return { ok: false, error: describeIssues(parsed.error, json, () => '') };
}

/** CLI flags and the config field each one overrides. */
export const DEVICE_FLAGS = {
  'device-id': { path: ['deviceId'], number: false },
  'broker-url': { path: ['broker', 'url'], number: false },
  username: { path: ['broker', 'username'], number: false },
  password: { path: ['broker', 'password'], number: false },
  format: { path: ['format'], number: false },
  'interval-s': { path: ['intervalS'], number: true },
  'samples-per-report': { path: ['samplesPerReport'], number: true },
  'buffer-dir': { path: ['buffer', 'dir'], number: false },
  'buffer-max-readings': { path: ['buffer', 'maxReadings'], number: true },
  'sensor-port': { path: ['sensor', 'port'], number: false },
  'sensor-model': { path: ['sensor', 'model'], number: false },
  'climate-controller': { path: ['climate', 'controller'], number: false },
  'climate-port': { path: ['climate', 'port'], number: false },
  'climate-address': { path: ['climate', 'address'], number: true },
} as const;
type FlagName = keyof typeof DEVICE_FLAGS;

/**
 * The device config from `--config <file.json>` (optional) and flags that override its
 * fields (`--interval-s 30`, `--broker-url mqtt://…`; see `DEVICE_FLAGS`). Throws a
 * `DeviceError` listing every wrong field.
 */
export function loadDeviceConfig(
  argv: readonly string[],
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): DeviceConfig {
  const flags = parseFlags(argv);
  const file = flags.config;
  const raw = file === undefined ? {} : readConfigFile(file, readFile);
  const sources = new Map<string, string>();
  for (const name of Object.keys(DEVICE_FLAGS) as FlagName[]) {
    const text = flags[name];
    if (text === undefined) continue;
    const { path, number } = DEVICE_FLAGS[name];
    // A non-numeric value stays a string, so the error shows what was typed.
    const value = number && /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
    setPath(raw, path, value);
    sources.set(path.join('.'), `--${name}`);
  }
  const parsed = DeviceConfigSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const from = (field: string) => {
    const source = sources.get(field) ?? file;
    return source === undefined ? '' : ` (from ${source})`;
  };
  throw new DeviceError(
    'DEVICE_CONFIG_INVALID',
    `device config is not valid:\n  ${describeIssues(parsed.error, raw, from, '\n  ')}`,
  );
}

function parseFlags(argv: readonly string[]): Partial<Record<FlagName | 'config', string>> {
  const options: Record<string, { type: 'string' }> = { config: { type: 'string' } };
  for (const name of Object.keys(DEVICE_FLAGS)) options[name] = { type: 'string' };
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    const known = ['config', ...Object.keys(DEVICE_FLAGS)].map((f) => `--${f}`).join(', ');
    throw new DeviceError('DEVICE_CONFIG_INVALID', `${(e as Error).message}; flags: ${known}`, {
      cause: e,
    });
  }
}

function readConfigFile(path: string, readFile: (path: string) => string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(readFile(path));
  } catch (e) {
    throw new DeviceError(
      'DEVICE_CONFIG_UNREADABLE',
      `cannot read config file ${path}: ${(e as Error).message}; it must be a JSON object`,
      { cause: e },
    );
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new DeviceError('DEVICE_CONFIG_UNREADABLE', `config file ${path} is not a JSON object`);
  }
  return { ...json };
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (rest.length === 0) {
    target[head] = value;
    return;
  }
  const child = target[head];
  const next: Record<string, unknown> =
    typeof child === 'object' && child !== null && !Array.isArray(child) ? { ...child } : {};
  target[head] = next;
  setPath(next, rest, value);
}

const SECRET_FIELDS = new Set(['broker.password']);

/** `intervalS = 0 (from --interval-s): Too small: expected number to be >=1`, one per issue. */
export function describeIssues(
  error: z.ZodError,
  input: unknown,
  sourceOf: (field: string) => string,
  separator = '; ',
): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.map(String).join('.');
      if (issue.code === 'unrecognized_keys') {
        const names = issue.keys.map((k) => (field === '' ? k : `${field}.${k}`));
        return `${names.join(', ')}${sourceOf(names[0] ?? '')}: unknown field`;
      }
      const value = valueAt(input, issue.path);
      // A cross-field check may name a field this input left to its current value.
      if (value === undefined && issue.code === 'custom') return `${field}: ${issue.message}`;
      if (value === undefined) return `${field}${sourceOf(field)}: required, but missing`;
      const shown = SECRET_FIELDS.has(field) ? '<redacted>' : JSON.stringify(value);
      return `${field} = ${shown}${sourceOf(field)}: ${issue.message}`;
    })
    .join(separator);
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let at = input;
  for (const key of path) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at;
}
