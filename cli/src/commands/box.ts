import {
  CLIMATE_OPEN_TIMEOUT_MS,
  Device,
  DEVICE_FLAGS,
  DeviceError,
  loadDeviceConfig,
  openClimateSensor,
  openPmsSensor,
  pmsSampleSource,
  startDeviceHttp,
  type ClimateSample,
  type ClimateSensor,
  type DeviceConfig,
  type PmsSensor,
  type SampleSource,
} from '@airbox/firmware-sim';
import { UsageError, type CliIo, type Command } from '../io.ts';
import { jsonLogger, type JsonLog } from '../log.ts';
import { waitForSignal } from '../signals.ts';

const flags = Object.keys(DEVICE_FLAGS)
  .map((f) => `--${f}`)
  .join(' ');

const usage = `usage: airbox box [--config FILE.json] [flags]

The box firmware: reads a Plantower PMS5003/7003/3003 on a serial port and, when
configured, an SHT31D, HTU21D or BME280 temperature/humidity sensor on the I2C bus of an
Arduino running StandardFirmata (johnny-five); reports a trimmed mean every interval,
keeps every reading in an on-disk offline buffer until the broker acknowledges it, and
publishes over MQTT (native JSON, or LASS ver_format 3 for existing LASS brokers).
Retained status on airbox/v1/<id>/status; the retained config topic airbox/v1/<id>/config
changes interval, format and broker at run time.

Config (JSON, see firmware-sim/README.md) with flags overriding its fields:
  ${flags}

On-device HTTP (off unless given): GET /data.json (last reading and status), GET /metrics
  --http-port N     0 picks a free port (printed)
  --http-host ADDR  default 0.0.0.0

Example:
  airbox box --device-id my-box-01 --broker-url mqtt://server:1883 --password '…' \\
             --sensor-port /dev/ttyUSB0 --buffer-dir /var/lib/airbox-box \\
             --climate-controller SHT31D --climate-port /dev/ttyACM0`;

export const boxCommand: Command = {
  name: 'box',
  summary: 'run the box firmware on this machine (PMS + T/RH sensors → MQTT)',
  usage,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { http, rest } = takeHttpFlags(argv);
    const config = boxConfig(rest, io);
    if (config === null) return 2;
    const { sensor, climate, device } = await startBox(config, jsonLogger(io));
    const server = http.port === null ? null : await startDeviceHttp(device, http.host, http.port);
    const running = {
      event: 'running',
      deviceId: config.deviceId,
      sensor: config.sensor,
      climate: config.climate ?? null,
    };
    io.stdout.write(JSON.stringify({ ...running, httpPort: server?.port ?? null }) + '\n');
    await waitForSignal();
    await server?.close();
    await device.stop();
    await climate?.close();
    await sensor.close();
    return 0;
  },
};

/** A device config that names its PM sensor, as this command needs. */
type BoxConfig = DeviceConfig & { sensor: NonNullable<DeviceConfig['sensor']> };

/** The device config from the file and flags; null (said on stderr) when it is unusable. */
function boxConfig(argv: string[], io: CliIo): BoxConfig | null {
  let config;
  try {
    config = loadDeviceConfig(argv);
  } catch (e) {
    if (!(e instanceof DeviceError)) throw e;
    io.stderr.write(`airbox box: ${e.message}\n`);
    return null;
  }
  if (!hasSensor(config)) {
    io.stderr.write(
      'airbox box: no sensor: give --sensor-port (e.g. /dev/ttyUSB0) or "sensor" in the config\n',
    );
    return null;
  }
  return config;
}

function hasSensor(config: DeviceConfig): config is BoxConfig {
  return config.sensor !== undefined;
}

/** Opens the sensors and starts the device on them; closes what opened if any step fails. */
async function startBox(
  config: BoxConfig,
  log: JsonLog,
): Promise<{ sensor: PmsSensor; climate: ClimateSensor | null; device: Device }> {
  const sensor = await openPmsSensor(config.sensor.port, { model: config.sensor.model });
  let climate: ClimateSensor | null = null;
  try {
    climate = await openClimate(config);
    const device = await Device.start({
      config,
      sources: { pm: pmsSampleSource(sensor), climate: climateSource(climate) },
      onReading: (r) =>
        log('reading', {
          time: r.time,
          pm25UgM3: r.pm25UgM3,
          temperatureC: r.temperatureC,
          humidityPct: r.humidityPct,
        }),
      onError: (context, e) => log('error', { context, message: e.message }),
    });
    return { sensor, climate, device };
  } catch (e) {
    // An open port keeps the process alive: close what did open before reporting.
    await climate?.close();
    await sensor.close();
    throw e;
  }
}

/** The configured T/RH sensor, open and read once; none without a `climate` section. */
function openClimate(config: DeviceConfig): Promise<ClimateSensor | null> {
  if (config.climate === undefined) return Promise.resolve(null);
  const { controller, port, address } = config.climate;
  return openClimateSensor({ controller, port, address, readTimeoutMs: CLIMATE_OPEN_TIMEOUT_MS });
}

/** Without a T/RH sensor the readings carry null temperature and humidity. */
function climateSource(climate: ClimateSensor | null): SampleSource<ClimateSample> | undefined {
  return climate === null ? undefined : () => climate.read();
}

/** `--http-port` and `--http-host` belong to this command, not to the device config. */
function takeHttpFlags(argv: string[]) {
  const http: { host: string; port: number | null } = { host: '0.0.0.0', port: null };
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg !== '--http-port' && arg !== '--http-host') {
      rest.push(arg);
      continue;
    }
    const value = argv[++i];
    if (value === undefined) throw new UsageError(`${arg} needs a value`);
    if (arg === '--http-host') http.host = value;
    else {
      const port = Number(value);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new UsageError(`--http-port must be a port number 0–65535, got '${value}'`);
      }
      http.port = port;
    }
  }
  return { http, rest };
}
