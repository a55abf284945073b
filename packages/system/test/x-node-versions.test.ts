// x itself on the Node running the tests (20 in CI), 22 and 24 (tooling/test-env's node-binary, fetched
// by .ci/run), as a fleet's workstations run it: the built bin, against local targets (contexts on the same Node as x), with
// results of every kind and errors with their fields coming back through --json.
import { describe, expect, it } from 'vitest';
import { useLeakCheck } from '@x/test-env';
import { NODE_BINARY_VERSIONS, nodeBinary, nodeBinaryUnavailableReason } from '@x/test-env/node-binary';
import { skipPrivileged } from '@x/test-env/sshd';
import { fixtures, jsonLines, x } from './helpers.js';

useLeakCheck();

const values = `${fixtures}values.ts`;

/** Each Node that runs x here: this one, then the fetched ones (undefined `node` where missing). */
const runs = [
  { version: process.versions.node, node: process.execPath as string | undefined, skip: false },
  ...([22, 24] as const).map((major) => ({
    version: NODE_BINARY_VERSIONS[major],
    node: nodeBinary(major),
    skip: skipPrivileged(`the tests of x on Node ${major}`, nodeBinaryUnavailableReason(major), `fetch it with \`node tooling/test-env/src/node-binary.js ${major}\` as .ci/run does`),
  })),
];

for (const { version, node: nodePath, skip } of runs) {
  describe.skipIf(skip)(`x on Node ${version}`, () => {
    const node = nodePath!;

    it('pings a local target, which runs on the same Node', async () => {
      const result = await x(['ping', '--on', 'local', '--json'], { node });
      expect(result.code).toBe(0);
      expect(jsonLines(result.stdout)).toEqual([expect.objectContaining({ target: 'local', ok: true, result: expect.objectContaining({ node: `v${version}` }) })]);
    });

    it('prints every kind of result as JSON lines, and nothing else on stdout', async () => {
      const result = await x(['run', '--on', 'local*2', '--json', `${values}#kinds`], { node });
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      const lines = jsonLines(result.stdout);
      expect(lines.map((line) => line['target']).sort()).toEqual(['local-1', 'local-2']);
      for (const line of lines) {
        expect(line['result']).toEqual({
          node: version,
          map: { a: 1, b: ['2'] },
          set: ['x', 'y'],
          big: '-1180591620717411303424',
          date: '2024-02-29T12:00:00.123Z',
          buffer: { type: 'Buffer', data: [...Buffer.from('made on the target')] },
          floats: [0.5, 2],
          text: 'é€😀',
        });
      }
    });

    it('carries a 4 MiB result', async () => {
      const result = await x(['run', '--on', 'local', '--json', `${values}#long`, String(4 * 1024 * 1024)], { node });
      expect(result.code).toBe(0);
      expect(jsonLines(result.stdout)[0]!['result']).toBe('x'.repeat(4 * 1024 * 1024));
    });

    it("reports a function's error with its class, message and own fields, exit 1", async () => {
      const result = await x(['run', '--on', 'local', '--json', `${values}#failWithFields`], { node });
      expect(result.code).toBe(1);
      expect(jsonLines(result.stdout)[0]).toMatchObject({ target: 'local', ok: false, error: { name: 'TypeError', message: 'bad type here', status: 7, path: '/srv/app' } });
    });

    it('runs a command with x exec', async () => {
      const result = await x(['exec', '--on', 'local', '--json', '--', 'echo', 'hello from a target'], { node });
      expect(result.code).toBe(0);
      expect(jsonLines(result.stdout)[0]).toMatchObject({ target: 'local', ok: true, result: { exitCode: 0, stdout: 'hello from a target\n' } });
    });
  });
}
