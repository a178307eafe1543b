import { spawn, type ChildProcess } from 'node:child_process';

export interface PtyPair {
  child: ChildProcess;
  /** The end the code under test opens (the "computer"). */
  hostPath: string;
  /** The end the test plays the device on. */
  sensorPath: string;
}

/**
 * A real pseudo-terminal pair from Debian's socat (`socat -d -d pty,raw,echo=0
 * pty,raw,echo=0`), which prints "PTY is /dev/pts/N" for each end, then "starting data
 * transfer loop". Stop it with `stopChild(pair.child)`.
 */
export function startPtyPair(timeoutMs = 10_000): Promise<PtyPair> {
  const child = spawn('socat', ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`socat gave no pty pair within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => reject(new Error(`socat exited (${code}): ${stderr}`)));
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const [hostPath, sensorPath] = [...stderr.matchAll(/PTY is (\/dev\/pts\/\d+)/g)].map(
        (m) => m[1],
      );
      if (hostPath && sensorPath && stderr.includes('starting data transfer loop')) {
        clearTimeout(timer);
        resolve({ child, hostPath, sensorPath });
      }
    });
  });
}
