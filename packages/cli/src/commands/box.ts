import {
  Device,
  DEVICE_FLAGS,
  DeviceError,
  loadDeviceConfig,
  openPmsSensor,
  pmsSampleSource,
} from '@airbox/firmware-sim';
import { type CliIo, type Command } from '../io.ts';
import { waitForSignal } from '../signals.ts';

const flags = Object.keys(DEVICE_FLAGS)
  .map((f) => `--${f}`)
  .join(' ');

const usage = `usage: airbox box [--config FILE.json] [flags]

The box firmware: reads a Plantower PMS5003/7003/3003 on a serial port, reports a trimmed
mean every interval, keeps every reading in an on-disk offline buffer until the broker
acknowledges it, and publishes over MQTT (native JSON, or LASS ver_format 3 for existing
LASS brokers). Retained status on airbox/v1/<id>/status; the retained config topic
airbox/v1/<id>/config changes interval, format and broker at run time.

Config (JSON, see firmware-sim/README.md) with flags overriding its fields:
  ${flags}

Example:
  airbox box --device-id my-box-01 --broker-url mqtt://server:1883 --password '…' \\
             --sensor-port /dev/ttyUSB0 --buffer-dir /var/lib/airbox-box`;

export const boxCommand: Command = {
  name: 'box',
  summary: 'run the box firmware on this machine (PMS sensor on a serial port → MQTT)',
  usage,
  async run(argv: string[], io: CliIo): Promise<number> {
    let config;
    try {
      config = loadDeviceConfig(argv);
    } catch (e) {
      if (!(e instanceof DeviceError)) throw e;
      io.stderr.write(`airbox box: ${e.message}\n`);
      return 2;
    }
    if (config.sensor === undefined) {
      io.stderr.write(
        'airbox box: no sensor: give --sensor-port (e.g. /dev/ttyUSB0) or "sensor" in the config\n',
      );
      return 2;
    }
    const log = (event: string, fields: Record<string, unknown>) =>
      io.stderr.write(
        JSON.stringify({ time: new Date(io.now()).toISOString(), event, ...fields }) + '\n',
      );
    const sensor = await openPmsSensor(config.sensor.port, { model: config.sensor.model });
    const device = await Device.start({
      config,
      sources: { pm: pmsSampleSource(sensor) },
      onReading: (r) => log('reading', { time: r.time, pm25UgM3: r.pm25UgM3 }),
      onError: (context, e) => log('error', { context, message: e.message }),
    });
    io.stdout.write(
      JSON.stringify({ event: 'running', deviceId: config.deviceId, sensor: config.sensor }) + '\n',
    );
    await waitForSignal();
    await device.stop();
    await sensor.close();
    return 0;
  },
};
