import { describe, expect, it } from 'vitest';
import { DeviceError, loadDeviceConfig, parseRemoteConfig } from '../src/index.ts';

const FILE = JSON.stringify({
  deviceId: 'box-42',
  broker: { url: 'mqtt://airbox.example:1883', password: 's3cret-token' },
  buffer: { dir: '/var/lib/airbox/buffer' },
  sensor: { port: '/dev/ttyAMA0' },
});
const files = (text: string) => (path: string) => {
  if (path !== 'box.json') throw new Error(`ENOENT: no such file, open '${path}'`);
  return text;
};

function configError(argv: string[], text = FILE): DeviceError {
  try {
    loadDeviceConfig(argv, files(text));
  } catch (e) {
    if (e instanceof DeviceError) return e;
    throw e;
  }
  throw new Error('expected the config to be refused');
}

describe('loadDeviceConfig: a JSON file, overridden by flags', () => {
  it('fills in the defaults', () => {
    expect(loadDeviceConfig(['--config', 'box.json'], files(FILE))).toEqual({
      deviceId: 'box-42',
      broker: { url: 'mqtt://airbox.example:1883', password: 's3cret-token' },
      format: 'native',
      intervalS: 60,
      samplesPerReport: 5,
      buffer: { dir: '/var/lib/airbox/buffer', maxReadings: 10_080 },
      sensor: { port: '/dev/ttyAMA0', model: 'PMS5003' },
    });
  });

  it('lets flags override fields of the file, nested ones too', () => {
    const config = loadDeviceConfig(
      [
        '--config',
        'box.json',
        '--interval-s',
        '30',
        '--format',
        'lass',
        '--sensor-model',
        'PMS7003',
      ],
      files(FILE),
    );
    expect(config).toMatchObject({ intervalS: 30, format: 'lass' });
    expect(config.sensor).toEqual({ port: '/dev/ttyAMA0', model: 'PMS7003' });
  });

  it('runs from flags alone', () => {
    const config = loadDeviceConfig([
      '--device-id=sim-1',
      '--broker-url=mqtt://127.0.0.1:1883',
      '--buffer-dir=/tmp/b',
      '--buffer-max-readings=20',
    ]);
    expect(config).toMatchObject({ deviceId: 'sim-1', buffer: { dir: '/tmp/b', maxReadings: 20 } });
    expect(config.sensor).toBeUndefined();
  });

  it.each([
    [
      ['--interval-s', 'abc'],
      'intervalS = "abc" (from --interval-s): Invalid input: expected number',
    ],
    [['--interval-s', '0'], 'intervalS = 0 (from --interval-s): Too small'],
    [['--interval-s', '1.5'], 'intervalS = 1.5 (from --interval-s): Invalid input: expected int'],
    [['--format', 'xml'], 'format = "xml" (from --format): Invalid option'],
    [
      ['--broker-url', 'http://x'],
      'broker.url = "http://x" (from --broker-url): must be an mqtt://',
    ],
    [['--device-id', 'a/b'], 'deviceId = "a/b" (from --device-id): must be 1–64 letters'],
    [['--sensor-model', 'PMS9003'], 'sensor.model = "PMS9003" (from --sensor-model)'],
    [
      ['--interval-s', '3', '--samples-per-report', '5'],
      'samplesPerReport = 5 (from --samples-per-report): 5 samples do not fit in 3 s',
    ],
    [['--password', ''], 'broker.password = <redacted> (from --password): Too small'],
  ])('%j is refused, naming the field, the value and where it came from', (flags, message) => {
    const error = configError(['--config', 'box.json', ...flags]);
    expect(error.code).toBe('DEVICE_CONFIG_INVALID');
    expect(error.message).toContain(message);
  });

  it('names fields missing and fields unknown in the file', () => {
    const text = JSON.stringify({ deviceId: 'box-1', interval: 30, buffer: {} });
    const { message } = configError(['--config', 'box.json'], text);
    expect(message).toContain('broker (from box.json): required, but missing');
    expect(message).toContain('buffer.dir (from box.json): required, but missing');
    expect(message).toContain('interval (from box.json): unknown field');
  });

  it('never shows the password', () => {
    const text = JSON.stringify({ ...JSON.parse(FILE), broker: { url: 'x', password: 7 } });
    const { message } = configError(['--config', 'box.json'], text);
    expect(message).toContain('broker.password = <redacted>');
    expect(message).not.toContain('s3cret');
  });

  it('says which file it could not read, and which flags exist', () => {
    expect(configError(['--config', 'nope.json'])).toMatchObject({
      code: 'DEVICE_CONFIG_UNREADABLE',
      message: expect.stringContaining('cannot read config file nope.json'),
    });
    expect(configError(['--config', 'box.json'], '{"deviceId": ')).toMatchObject({
      code: 'DEVICE_CONFIG_UNREADABLE',
    });
    expect(configError(['--intervall', '5']).message).toMatch(/--intervall.*--interval-s/s);
  });
});

describe('parseRemoteConfig: the retained config topic', () => {
  const current = { intervalS: 60, samplesPerReport: 5 };
  const parse = (text: string) => parseRemoteConfig(Buffer.from(text), current);

  it.each([
    ['{"intervalS":120}', { intervalS: 120 }],
    [
      '{"format":"lass","brokerUrl":"mqtts://b.example"}',
      { format: 'lass', brokerUrl: 'mqtts://b.example' },
    ],
    ['{}', {}],
    ['', {}],
  ])('accepts %s', (text, config) => {
    expect(parse(text)).toEqual({ ok: true, config });
  });

  it.each([
    ['{"intervalS":-5}', 'intervalS = -5: Too small: expected number to be >=1'],
    ['{"intervalS":"fast"}', 'intervalS = "fast": Invalid input: expected number, received string'],
    ['{"interval":30}', 'interval: unknown field'],
    ['{"format":"csv"}', 'format = "csv": Invalid option'],
    ['{"brokerUrl":"localhost:1883"}', 'brokerUrl = "localhost:1883": must be an mqtt://'],
    ['{"intervalS":3}', 'samplesPerReport: 5 samples do not fit in 3 s'],
    ['{"intervalS":', 'config is not JSON'],
  ])('refuses %s, naming the field and the problem', (text, error) => {
    const result = parse(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(error);
  });

  it('refuses a config message over 4 KiB unread', () => {
    expect(parse(`{"pad":"${'x'.repeat(5000)}"}`)).toEqual({
      ok: false,
      error: 'config is 5010 bytes; at most 4096',
    });
  });
});
