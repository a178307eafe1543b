import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCommandArgs, runAsCommand } from '../src/args.ts';
import { configValues, parseConfigText } from '../src/config-file.ts';
import { runCli } from './run.ts';

const dir = mkdtempSync(join(tmpdir(), 'airbox-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function configFile(text: string): string {
  const path = join(dir, `${++files}.conf`);
  writeFileSync(path, text);
  return path;
}

const OPTIONS = {
  'data-dir': { type: 'string' },
  'http-port': { type: 'string' },
  'map-style': { type: 'string' },
  demo: { type: 'boolean' },
  device: { type: 'string', multiple: true },
} as const;

describe('the config file format', () => {
  it('reads name = value lines, comments, blank lines, quotes and CRLF', () => {
    const text = [
      '\uFEFF# airbox serve on the school server',
      '',
      'data-dir = /var/lib/airbox   # the SQLite files',
      '  http-port=8080',
      'map-style = "https://tiles.example/style.json #v2"  # quoted: keeps space and #',
      'tag = a#b',
      'note = "say \\"hi\\" \\\\ bye"',
      'demo = true\r',
    ].join('\n');
    expect(parseConfigText(text, 'serve.conf')).toEqual([
      { key: 'data-dir', value: '/var/lib/airbox', line: 3 },
      { key: 'http-port', value: '8080', line: 4 },
      { key: 'map-style', value: 'https://tiles.example/style.json #v2', line: 5 },
      { key: 'tag', value: 'a#b', line: 6 },
      { key: 'note', value: 'say "hi" \\ bye', line: 7 },
      { key: 'demo', value: 'true', line: 8 },
    ]);
  });

  it.each([
    ['data-dir /var/lib', 'line 1: expected \'name = value\', got "data-dir /var/lib"'],
    ['--data-dir = x', "line 1: write the option name without dashes ('data-dir')"],
    ['data dir = x', 'line 1: "data dir" is not an option name'],
    [
      'data-dir =   # nothing',
      `line 1: 'data-dir' has no value (write data-dir = "" for an empty one)`,
    ],
    ['map-style = "https://x', 'line 1: the quoted value has no closing "'],
    ['map-style = "a" b', 'line 1: unexpected text after the closing quote: "b"'],
  ])('refuses %j naming the file and line', (text, message) => {
    expect(() => parseConfigText(text, 'x.conf')).toThrow(`config file x.conf ${message}`);
  });

  it('types switches and repeatable options, and refuses what the command cannot take', () => {
    const where = { file: 'serve.conf', command: 'serve' };
    const values = configValues(
      parseConfigText('demo = false\ndevice = a\ndevice = b\ndata-dir = d', 'serve.conf'),
      OPTIONS,
      where,
    );
    expect(Object.fromEntries(values)).toEqual({
      demo: false,
      device: ['a', 'b'],
      'data-dir': 'd',
    });

    const refuse = (text: string) => () =>
      configValues(parseConfigText(text, 'serve.conf'), OPTIONS, where);
    expect(refuse('\nwarp = 9')).toThrow(
      "config file serve.conf line 2: airbox serve has no option 'warp'",
    );
    expect(refuse('demo = yes')).toThrow(
      `config file serve.conf line 1: 'demo' is a switch: write true or false, got "yes"`,
    );
    expect(refuse('data-dir = a\n\ndata-dir = b')).toThrow(
      "config file serve.conf line 3: 'data-dir' is given twice (lines 1 and 3)",
    );
    expect(refuse('config = other.conf')).toThrow('line 1: a config file cannot name another one');
  });

  it('refuses secrets and names the environment variable that carries each', () => {
    const refuse = (key: string, command: string) => () =>
      configValues(
        parseConfigText(`${key} = s3cret`, 'f.conf'),
        { [key]: { type: 'string' } },
        {
          file: 'f.conf',
          command,
        },
      );
    expect(refuse('password', 'worker')).toThrow(
      "config file f.conf line 1: 'password' is a secret and is never read from a file; set it in the AIRBOX_WORKER_PASSWORD environment variable instead",
    );
    expect(refuse('influx-password', 'serve')).toThrow(
      'AIRBOX_INFLUX_PASSWORD environment variable',
    );
    expect(refuse('token', 'serve')).toThrow('AIRBOX_INFLUX_TOKEN environment variable');
    expect(refuse('mqtt-password', 'sim')).toThrow(
      "'mqtt-password' is a secret and is never read from a file; set it in the environment variable its usage names",
    );
  });
});

describe('parseCommandArgs with --config', () => {
  it('takes the file as defaults and lets the command line win', () => {
    const file = configFile('data-dir = /srv/airbox\nhttp-port = 8080\ndemo = true\ndevice = a\n');
    const { values } = parseCommandArgs(['--config', file, '--http-port', '9090'], OPTIONS);
    expect(values).toEqual({
      'data-dir': '/srv/airbox',
      'http-port': '9090',
      demo: true,
      device: ['a'],
    });
    // --config=FILE, and a flag given before it, and a repeated flag replacing the file's list.
    const again = parseCommandArgs(['--device', 'z', `--config=${file}`], OPTIONS);
    expect(again.values.device).toEqual(['z']);
    expect(again.values['data-dir']).toBe('/srv/airbox');
  });

  it('overrides an option default from the file, but not one given on the command line', () => {
    const file = configFile('http-port = 8080\n');
    const options = { 'http-port': { type: 'string', default: '80' } } as const;
    expect(parseCommandArgs(['--config', file], options).values['http-port']).toBe('8080');
    expect(
      parseCommandArgs(['--config', file, '--http-port', '80'], options).values['http-port'],
    ).toBe('80');
    expect(parseCommandArgs([], options).values['http-port']).toBe('80');
  });

  it('names the command in errors when run under it, and a file it cannot read', () => {
    const file = configFile('# serve\nwarp = 9\n');
    expect(() =>
      runAsCommand('serve', () => parseCommandArgs(['--config', file], OPTIONS)),
    ).toThrow(`config file ${file} line 2: airbox serve has no option 'warp'`);
    const missing = join(dir, 'missing.conf');
    expect(() => parseCommandArgs(['--config', missing], OPTIONS)).toThrow(
      `cannot read config file ${missing}: no such file`,
    );
    expect(() => parseCommandArgs(['--config', dir], OPTIONS)).toThrow(
      `cannot read config file ${dir}: it is a directory`,
    );
  });

  it('leaves a command that has its own --config alone', () => {
    const { values } = parseCommandArgs(['--config', 'box.json'], { config: { type: 'string' } });
    expect(values).toEqual({ config: 'box.json' });
  });
});

describe('airbox <command> --config', () => {
  it('reads options for a real command, and reports a bad file with exit 2 and the usage', async () => {
    // decode --strict exits 1 when a line fails to decode: here the switch comes from the file.
    const strict = configFile('strict = true   # fail the run on a bad line\n');
    expect((await runCli(['decode'], 'not a payload\n')).code).toBe(0);
    expect((await runCli(['decode', '--config', strict], 'not a payload\n')).code).toBe(1);

    const bad = configFile('strict = true\nspeed = fast\n');
    const res = await runCli(['decode', '--config', bad], '');
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(
      `airbox decode: config file ${bad} line 2: airbox decode has no option 'speed'`,
    );
    expect(res.stderr).toContain('usage: airbox decode');
  });
});
