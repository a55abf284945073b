// A fleet runs mixed Node versions: this root runs on the Node running the tests (20 in CI) and starts
// contexts on Node 22 and 24 (tooling/test-env's node-binary, fetched by .ci/run), locally and over a
// stdio command. Values cross both ways through two v8 serializers of different versions. A Node older
// than a context needs, or a nodePath that is not Node at all, is refused with NodeNotFoundError.
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { useLeakCheck } from '@x/test-env';
import { NODE_BINARY_VERSIONS, nodeBinary, nodeBinaryPath, nodeBinaryUnavailableReason } from '@x/test-env/node-binary';
import { skipPrivileged } from '@x/test-env/sshd';
import { type Context, ConnectError, type LogRecord, NodeNotFoundError, RemoteError, type Router } from '../src/index.js';
import { quietRouter, tasks } from './helpers.js';
import { large, made, pattern } from './fixtures/versions.js';

useLeakCheck();

const versions = new URL('./fixtures/versions.ts', import.meta.url);
const hereDocker = fileURLToPath(new URL('./fixtures/bin/here-docker', import.meta.url));
const fetchRemedy = 'fetch it with `node tooling/test-env/src/node-binary.js 18 22 24` as .ci/run does';

let router: Router | undefined;
afterEach(async () => {
  await router?.close();
  router = undefined;
});

/** Each way a test starts a context on `nodePath`: as a local child (fd 3), over a command's stdio, and that from a context. */
const starts: [string, (router: Router, nodePath: string) => Promise<Context>][] = [
  ['local', (router, nodePath) => router.local({ nodePath })],
  ['over stdio', (router, nodePath) => router.docker({ container: 'c', dockerPath: hereDocker, nodePath })],
  // The command runs in a context on this Node, which checks the new one and then routes its frames.
  ['over stdio through a context', async (router, nodePath) => router.docker({ container: 'c', dockerPath: hereDocker, nodePath, via: await router.local() })],
];

for (const major of [22, 24] as const) {
  describe.skipIf(skipPrivileged(`the Node ${major} context tests`, nodeBinaryUnavailableReason(major), fetchRemedy))(`a context on Node ${major} under a root on Node ${process.versions.node}`, () => {
    for (const [how, start] of starts) {
      describe(how, () => {
        it(`runs calls on Node ${NODE_BINARY_VERSIONS[major]}`, async () => {
          router = quietRouter();
          const ctx = await start(router, nodeBinary(major)!);
          expect(await ctx.call(versions, 'nodeVersion')).toBe(NODE_BINARY_VERSIONS[major]);
          expect(await ctx.call(tasks, 'add', 2, 3)).toBe(5);
        });

        it('hands back every kind of value the root sends, and the root reads every kind it makes', async () => {
          router = quietRouter();
          const ctx = await start(router, nodeBinary(major)!);
          const sent = made();
          expect(await ctx.call(tasks, 'echo', sent)).toEqual(sent);
          expect(await ctx.call(versions, 'made')).toEqual(sent);
        });

        it('carries a 24 MiB buffer each way', async () => {
          router = quietRouter();
          const ctx = await start(router, nodeBinary(major)!);
          const size = 24 * 1024 * 1024;
          const back = (await ctx.call(tasks, 'echo', large(size))) as Buffer;
          expect(back.length).toBe(size);
          expect(back.equals(large(size))).toBe(true);
          const madeThere = (await ctx.call(versions, 'large', size)) as Buffer;
          expect(madeThere.equals(Buffer.alloc(size, pattern(251)))).toBe(true);
        });

        it("passes the context's errors with their class, fields and cause", async () => {
          router = quietRouter();
          const ctx = await start(router, nodeBinary(major)!);
          const error = (await ctx.call(tasks, 'failCustom').catch((caught: unknown) => caught)) as RemoteError;
          expect(error).toBeInstanceOf(RemoteError);
          expect(error).toMatchObject({ remoteName: 'ValidationError', message: 'bad name', code: 'E_VALIDATION' });
          expect(error.cause).toMatchObject({ message: 'too long' });
          await expect(ctx.call(tasks, 'failType')).rejects.toMatchObject({ name: 'TypeError', message: 'not a number' });
        });
      });
    }
  });
}

describe.skipIf(skipPrivileged('the Node 18 refusal tests', nodeBinaryUnavailableReason(18), fetchRemedy))('a nodePath below the minimum Node', () => {
  for (const [how, start] of starts) {
    it(`is refused ${how} with NodeNotFoundError naming the version found and the minimum`, async () => {
      router = quietRouter();
      const error = (await start(router, nodeBinaryPath(18)).catch((caught: unknown) => caught)) as ConnectError;
      expect(error).toBeInstanceOf(NodeNotFoundError);
      expect(error.code).toBe('ERR_X_REMOTE_NODE_NOT_FOUND');
      expect(error.message).toContain(`Node ${NODE_BINARY_VERSIONS[18]}`);
      expect(error.message).toContain('>= 20.6.0');
    });
  }
});

describe('a nodePath that is not Node', () => {
  for (const [how, start] of starts) {
    it(`is refused ${how} with NodeNotFoundError saying so, without printing the first stage`, async () => {
      const records: LogRecord[] = [];
      router = quietRouter();
      router.onLog((record) => records.push(record));
      const error = (await start(router, '/bin/echo').catch((caught: unknown) => caught)) as ConnectError;
      expect(error).toBeInstanceOf(NodeNotFoundError);
      expect(error.message).toMatch(/\/bin\/echo.* is not Node/);
      expect(error.message).not.toContain('readSync');
      expect(records.map((record) => record.text).join('\n')).not.toContain('readSync');
    });
  }
});
