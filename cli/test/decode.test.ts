import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { jsonLines, runCli } from './run.ts';

const FIXTURES = fileURLToPath(
  new URL('../../packages/protocol/test/fixtures/lass/', import.meta.url),
);

describe('airbox decode', () => {
  it('decodes a capture file to one JSON reading per line, summary on stderr', async () => {
    const { code, stdout, stderr } = await runCli([
      'decode',
      `${FIXTURES}capture-2015-10-09-part1.txt`,
    ]);
    expect(code).toBe(0);
    const expected = readFileSync(`${FIXTURES}capture-2015-10-09-part1.expected.jsonl`, 'utf8');
    expect(jsonLines(stdout)).toEqual(jsonLines(expected));
    expect(stderr).toMatch(/300 lines, 300 readings, 0 errors/);
  });

  it('reads stdin: topic lines, bare LASS lines and native JSON', async () => {
    const input = [
      'LASS/Test/PM25 |ver_format=3|app=PM25|device_id=A1|date=2026-11-26|time=10:00:00|s_d0=7.00',
      '|ver_format=3|app=PM25|device_id=A2|date=2026-11-26|time=10:00:00|s_d0=8.00',
      '{"deviceId":"box-1","time":"2026-11-26T10:00:00Z","pm25UgM3":9}',
    ].join('\n');
    const { code, stdout } = await runCli(['decode'], input);
    expect(code).toBe(0);
    expect(jsonLines(stdout).map((r) => [r.deviceId, r.pm25UgM3, r.format])).toEqual([
      ['A1', 7, 'lass-v3'],
      ['A2', 8, 'lass-v3'],
      ['box-1', 9, 'native-v1'],
    ]);
  });

  it('writes a coded error with the line number for a bad line, and exits 0 unless --strict', async () => {
    const input = '|ver_format=3|device_id=A1|s_d0=1\nnot a payload at all\n';
    const lax = await runCli(['decode'], input);
    expect(lax.code).toBe(0);
    const [, error] = jsonLines(lax.stdout);
    expect(error).toEqual({
      error: { code: 'unknown-topic', message: expect.stringContaining('"not"'), line: 2 },
    });
    expect(lax.stderr).toMatch(/2 lines, 1 readings, 1 errors \(unknown-topic: 1\)/);

    const strict = await runCli(['decode', '--strict'], input);
    expect(strict.code).toBe(1);
  });

  it('replaces an invalid device clock with --received-at', async () => {
    const input = '|ver_format=3|app=PM25|device_id=A1|date=2080-01-06|time=00:09:21|s_d0=1';
    const { stdout } = await runCli(['decode', '--received-at', '2026-11-27T08:00:00Z'], input);
    expect(jsonLines(stdout)[0]).toMatchObject({
      time: '2026-11-27T08:00:00.000Z',
      flags: expect.arrayContaining(['clock-invalid']),
    });
  });

  it('names a missing file', async () => {
    const { code, stderr } = await runCli(['decode', '/nonexistent/capture.txt']);
    expect(code).toBe(1);
    expect(stderr).toContain('cannot read /nonexistent/capture.txt: no such file');
  });

  it('names a bad flag and shows the usage', async () => {
    const { code, stderr } = await runCli(['decode', '--received-at', 'soon']);
    expect(code).toBe(2);
    expect(stderr).toContain("--received-at must be an ISO 8601 time, got 'soon'");
    expect(stderr).toContain('usage: airbox decode');
  });
});
