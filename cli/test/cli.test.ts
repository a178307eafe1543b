import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli } from './run.ts';

const BIN = fileURLToPath(new URL('../bin/airbox.js', import.meta.url));

describe('the airbox command', () => {
  it('runs as a real process and lists its subcommands', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [BIN, '--help']);
    expect(stdout).toMatch(/usage: airbox <command>/);
    expect(stdout).toMatch(/\n {2}decode /);
    expect(stdout).toMatch(/\n {2}bench /);
  });

  it('refuses an unknown command with exit code 2', async () => {
    const { code, stderr } = await runCli(['fly']);
    expect(code).toBe(2);
    expect(stderr).toContain("unknown command 'fly'");
  });

  it('bench decode --json prints one JSON object with what it measured', async () => {
    const { code, stdout } = await runCli(['bench', 'decode', '--seconds', '0.3', '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as Record<string, unknown>;
    expect(result).toMatchObject({ bench: 'decode', targetPerSecond: 150_000 });
    expect(result.payloads).toBeGreaterThan(0);
    expect(result.decodedOk).toBe(result.payloads);
  });

  it('bench refuses an unknown bench and a bad duration', async () => {
    expect((await runCli(['bench', 'warp'])).stderr).toContain("unknown bench 'warp'");
    expect((await runCli(['bench', 'decode', '--seconds', '0'])).stderr).toContain(
      "--seconds must be a positive number, got '0'",
    );
    expect((await runCli(['bench', 'reconnect', '--registry', 'mysql'])).stderr).toContain(
      "--registry takes postgres or sqlite (both without it), got 'mysql'",
    );
  });
});
