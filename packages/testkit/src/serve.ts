import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { spawnUntil, stopChild } from './process.ts';

/** The `airbox` command of this checkout (the composition root, `cli/`), for tests that run it. */
export const AIRBOX_BIN = fileURLToPath(new URL('../../../cli/bin/airbox.js', import.meta.url));

export interface ServePorts {
  mqtt: number;
  ws: number | null;
  http: number;
}

/** `airbox serve` as a real child process on 127.0.0.1, for fault tests that kill it. */
export class ServeProcess {
  child: ChildProcess | null = null;
  /** What the process printed on stderr (its JSON log lines), for failure messages. */
  stderr: () => string = () => '';
  ports: ServePorts | null = null;
  readonly dataDir: string;
  readonly extraArgs: string[];

  constructor(dataDir: string, extraArgs: string[] = []) {
    this.dataDir = dataDir;
    this.extraArgs = extraArgs;
  }

  /** Starts it, on the same ports as before when restarted (devices reconnect there). */
  async start(): Promise<ServePorts> {
    const p = this.ports;
    const args = [
      AIRBOX_BIN,
      'serve',
      '--host',
      '127.0.0.1',
      '--data-dir',
      this.dataDir,
      '--mqtt-port',
      String(p?.mqtt ?? 0),
      '--ws-port',
      String(p?.ws ?? 0),
      '--http-port',
      String(p?.http ?? 0),
      ...this.extraArgs,
    ];
    const { child, line, stderr } = await spawnUntil(process.execPath, args, /"event":"listening"/);
    this.child = child;
    this.stderr = stderr;
    const parsed = JSON.parse(line) as { ports: ServePorts };
    this.ports = parsed.ports;
    return parsed.ports;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.child) await stopChild(this.child, signal);
    this.child = null;
  }

  httpUrl(path: string): string {
    return `http://127.0.0.1:${this.ports?.http}${path}`;
  }
}
