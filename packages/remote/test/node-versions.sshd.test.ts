// Contexts over a real sshd (loopback, tooling/test-env) on the Node versions a fleet mixes: Node 22 and
// 24 under this root, Node 18 refused, a nodePath that is not Node named as such; and what `ctx.pid` is
// over ssh (the README says: the pid of the context's node on the host, not the local ssh client's).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLeakCheck } from '@x/test-env';
import { NODE_BINARY_VERSIONS, nodeBinary, nodeBinaryPath, nodeBinaryUnavailableReason } from '@x/test-env/node-binary';
import { createUser, skipPrivileged, startSshd } from '@x/test-env/sshd';
import { NodeNotFoundError, type SshOptions } from '../src/index.js';
import { quietRouter } from './helpers.js';
import { made } from './fixtures/versions.js';

useLeakCheck();

const hops = new URL('./fixtures/hops.ts', import.meta.url);
const versions = new URL('./fixtures/versions.ts', import.meta.url);
const fetchRemedy = 'fetch it with `node tooling/test-env/src/node-binary.js 18 22 24` as .ci/run does';

/** The parent pid of `pid`, from /proc. */
function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

describe.skipIf(skipPrivileged('the ssh tests of mixed Node versions'))('contexts over a real sshd', () => {
  let sshd: Awaited<ReturnType<typeof startSshd>>;
  let user: { remove: () => void };

  beforeAll(async () => {
    sshd = await startSshd();
    user = createUser('xrnodes');
  });

  afterAll(async () => {
    user?.remove();
    await sshd?.stop();
  });

  /** xrnodes@127.0.0.1 on the test sshd with its key, trusting its host key, with no ~/.ssh/config. */
  const to = (nodePath: string): SshOptions => ({
    hostname: '127.0.0.1',
    port: sshd.port,
    username: 'xrnodes',
    identityFile: sshd.clientKey,
    sshArgs: ['-F', '/dev/null', '-o', `UserKnownHostsFile=${sshd.knownHosts}`],
    nodePath,
    connectTimeoutMs: 20_000,
  });

  it("has ctx.pid the pid of the node that sshd started, not the local ssh client's", async () => {
    await using router = quietRouter();
    const ctx = await router.ssh(to(process.execPath));
    const info = await ctx.call<{ pid: number; parent: string }>(hops, 'processInfo');
    expect(ctx.pid).toBe(info.pid);
    expect(info.parent).toMatch(/^sshd/);
    expect(parentOf(ctx.pid!)).not.toBe(process.pid);
  });

  for (const major of [22, 24] as const) {
    describe.skipIf(skipPrivileged(`the Node ${major} ssh tests`, nodeBinaryUnavailableReason(major), fetchRemedy))(`on Node ${major}`, () => {
      it(`runs calls on Node ${NODE_BINARY_VERSIONS[major]}, values crossing both ways`, async () => {
        await using router = quietRouter();
        const ctx = await router.ssh(to(nodeBinary(major)!));
        expect(await ctx.call(versions, 'nodeVersion')).toBe(NODE_BINARY_VERSIONS[major]);
        const sent = made();
        expect(await ctx.call(hops, 'echo', sent)).toEqual(sent);
        expect(await ctx.call(versions, 'made')).toEqual(sent);
      });
    });
  }

  describe.skipIf(skipPrivileged('the Node 18 ssh test', nodeBinaryUnavailableReason(18), fetchRemedy))('on Node 18', () => {
    it('is refused with NodeNotFoundError naming the version found and the minimum', async () => {
      await using router = quietRouter();
      const error = await router.ssh(to(nodeBinaryPath(18))).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(NodeNotFoundError);
      expect((error as NodeNotFoundError).message).toContain(`is Node ${NODE_BINARY_VERSIONS[18]}; contexts need Node >= 20.6.0`);
    });
  });

  it('says a nodePath that is not Node (/bin/echo) is not Node, without the first stage in the message', async () => {
    await using router = quietRouter();
    const error = await router.ssh(to('/bin/echo')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NodeNotFoundError);
    expect((error as NodeNotFoundError).message).toMatch(/^"\/bin\/echo" on .* is not Node/);
    expect((error as NodeNotFoundError).message).not.toContain('readSync');
  });
});
