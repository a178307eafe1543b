import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AIRBOX_BIN, ServeProcess, run, tempDir } from '@airbox/testkit';

/**
 * `airbox serve --signup closed`: a school's or a county's own server, where only the
 * operator makes accounts. Nobody signs up over HTTP; the sign-in page is told to show no
 * form; an account the operator adds with `airbox account add` signs in. Real process.
 */
const dir = tempDir('signup-closed');
const serve = new ServeProcess(dir.path, ['--no-refit', '--signup', 'closed']);

beforeAll(async () => {
  await serve.start();
});
afterAll(async () => {
  await serve.stop();
  dir.remove();
});

const post = (path: string, body: unknown) =>
  fetch(serve.httpUrl(path), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('airbox serve --signup closed', () => {
  it('refuses sign-up with 403 signup-closed; the operator’s account signs in', async () => {
    const walkIn = await post('/api/v1/accounts', {
      email: 'walk-in@example.org',
      password: 'correct horse battery',
      displayName: 'Walk-in',
    });
    expect(walkIn.status).toBe(403);
    expect(await walkIn.json()).toMatchObject({ error: { code: 'signup-closed' } });
    const config = await (await fetch(serve.httpUrl('/app/config.json'))).json();
    expect(config).toMatchObject({ signup: false });

    const added = await run(process.execPath, [
      AIRBOX_BIN,
      'account',
      'add',
      'teacher@example.org',
      '--data-dir',
      dir.path,
    ]);
    expect(added.code, added.stderr).toBe(0);
    const { password } = JSON.parse(added.stdout) as { password: string };
    const signIn = await post('/api/v1/session', { email: 'teacher@example.org', password });
    expect(signIn.status).toBe(200);
  });

  it('refuses a policy it does not know, naming the flag', async () => {
    const r = await run(process.execPath, [AIRBOX_BIN, 'serve', '--signup', 'maybe']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("--signup must be open or closed, got 'maybe'");
  });
});
