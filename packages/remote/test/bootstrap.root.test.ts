import { fileURLToPath } from 'node:url';
import { useLeakCheck } from '@x/test-env';
import { createUser, skipPrivileged } from '@x/test-env/sshd';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectTimeoutError, EofError, type LogRecord, NodeNotFoundError } from '../src/index.js';
import { eventually, processesWith, quietRouter } from './helpers.js';

useLeakCheck();

const hops = new URL('./fixtures/hops.ts', import.meta.url);
const stub = (name: string): string => fileURLToPath(new URL(`./fixtures/bin/${name}`, import.meta.url));
const skip = skipPrivileged('the sudo/su bootstrap tests');

describe.skipIf(skip)('the stdio bootstrap through sudo and su on this machine', () => {
  let user: { remove: () => void } | undefined;
  beforeAll(() => {
    user = createUser('xrboot');
  });
  afterAll(() => user?.remove());

  it('gives up on a node that never answers with ConnectTimeoutError, leaving nothing behind', async () => {
    await using router = quietRouter();
    const name = `silent-${process.pid}`;
    const error = await router.sudo({ nodePath: stub('silent-node'), name, connectTimeoutMs: 1500 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConnectTimeoutError);
    expect((error as ConnectTimeoutError).code).toBe('ERR_X_REMOTE_CONNECT_TIMEOUT');
    expect(await eventually(() => processesWith(name).length === 0)).toBe(true);
  });

  it('refuses a Node older than contexts need with NodeNotFoundError naming the path and version', async () => {
    await using router = quietRouter();
    const error = await router.sudo({ nodePath: stub('old-node'), name: `old-${process.pid}` }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NodeNotFoundError);
    expect((error as NodeNotFoundError).message).toContain('16.20.2');
    expect((error as NodeNotFoundError).message).toContain(stub('old-node'));
    expect(await eventually(() => processesWith(`old-${process.pid}`).length === 0)).toBe(true);
  });

  it('fails a missing node with NodeNotFoundError naming the path', async () => {
    await using router = quietRouter();
    const error = await router.su({ username: 'xrboot', nodePath: '/nonexistent/x-node' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NodeNotFoundError);
    expect((error as NodeNotFoundError).code).toBe('ERR_X_REMOTE_NODE_NOT_FOUND');
    expect((error as NodeNotFoundError).message).toContain('/nonexistent/x-node');
  });

  it('fails a node that dies at start with EofError carrying its stderr', async () => {
    await using router = quietRouter();
    const error = await router.sudo({ nodePath: stub('broken-node') }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EofError);
    expect((error as EofError).stderrTail).toContain('broken node: cannot start');
  });

  it('starts through a banner on stdout, which arrives as log lines', async () => {
    await using router = quietRouter();
    const seen: LogRecord[] = [];
    router.onLog((record) => seen.push(record));
    const ctx = await router.sudo({ nodePath: stub('banner-node'), name: 'bannered' });
    expect((await ctx.call<{ uid: number }>(hops, 'whoami')).uid).toBe(0);
    expect(await eventually(() => seen.length >= 2)).toBe(true);
    expect(seen.map((record) => `${record.stream} ${record.text}`)).toEqual(expect.arrayContaining(['stdout Welcome to web1', 'stdout Your password: expires in 3 days; x-remote is installed']));
  });

  it('starts a context as another user with su, no password asked from root', async () => {
    await using router = quietRouter();
    const ctx = await router.su({ username: 'xrboot', nodePath: process.execPath });
    expect((await ctx.call<{ user: string }>(hops, 'whoami')).user).toBe('xrboot');
  });
});
