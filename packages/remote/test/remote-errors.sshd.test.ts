// Errors from a context over ssh, and from one started through it with sudo, read as from a local one:
// the caller's files and lines, a package's own lines, no module key, the error's own fields.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { useLeakCheck } from '@x/test-env';
import { createUser, skipPrivileged, startSshd } from '@x/test-env/sshd';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Context, RemoteError, type Router } from '../src/index.js';
import { quietRouter } from './helpers.js';

useLeakCheck();

const errs = new URL('./fixtures/errors/errs.ts', import.meta.url);
const skip = skipPrivileged('the ssh error tests');
/** The line of errs.ts that throws the TypeError. */
const typeErrorLine = readFileSync(errs, 'utf8').split('\n').findIndex((line) => line.includes("throw new TypeError('bad type here')")) + 1;

describe.skipIf(skip)('an error from a context over ssh', () => {
  let sshd: Awaited<ReturnType<typeof startSshd>>;
  let user: { remove: () => void };

  beforeAll(async () => {
    sshd = await startSshd();
    user = createUser('xrerrors', { sudo: 'nopasswd' });
  });

  afterAll(async () => {
    user?.remove();
    await sshd?.stop();
  });

  async function overSsh(router: Router): Promise<Context> {
    return router.ssh({ name: 'web1', hostname: '127.0.0.1', port: sshd.port, username: 'xrerrors', identityFile: sshd.clientKey, checkHostKeys: 'ignore' });
  }

  it.each([
    ['over ssh', async (router: Router) => overSsh(router), 'web1'],
    ['through ssh, then sudo', async (router: Router) => router.sudo({ name: 'web1-root', via: await overSsh(router) }), 'web1-root'],
  ])("names the caller's files and lines %s, and carries the error's fields", async (_how, start, name) => {
    await using router = quietRouter();
    const ctx = await start(router);
    const typeError = (await ctx.call(errs, 'badType').catch((error: unknown) => error)) as Error;
    expect(typeError).toBeInstanceOf(TypeError);
    expect(typeError.stack).toMatch(new RegExp(`^TypeError: bad type here\\n {4}at \\[${name}\\] badType \\(${fileURLToPath(errs)}:${typeErrorLine}:9\\)`));
    const inPackage = (await ctx.call(errs, 'inEsmPackage').catch((error: unknown) => error)) as Error;
    expect(inPackage.stack).toContain(`${fileURLToPath(new URL('./fixtures/errors/node_modules/throw-esm/helper.js', import.meta.url))}:2:9)`);
    const http = (await ctx.call(errs, 'httpError').catch((error: unknown) => error)) as RemoteError;
    expect(http).toBeInstanceOf(RemoteError);
    expect(http).toMatchObject({ remoteName: 'HttpError', status: 404, path: '/items/7', context: name });
    for (const error of [typeError, inPackage, http]) expect(`${error.message}\n${error.stack}`).not.toMatch(/\?x=|\[eval\]/);
  });
});
