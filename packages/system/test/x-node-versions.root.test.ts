// x on one Node driving contexts on others, as in a fleet whose hosts run another Node than the
// workstation: `--node-path` picks the target's node (here through sudo on this machine, root only).
import { describe, expect, it } from 'vitest';
import { useLeakCheck } from '@x/test-env';
import { NODE_BINARY_VERSIONS, nodeBinary, nodeBinaryPath, nodeBinaryUnavailableReason } from '@x/test-env/node-binary';
import { skipPrivileged } from '@x/test-env/sshd';
import { fixtures, jsonLines, x } from './helpers.js';

useLeakCheck();

const values = `${fixtures}values.ts`;
const rootReason = process.getuid?.() === 0 ? undefined : 'x through sudo to root needs root (sudo without a password)';
const fetchRemedy = 'fetch them with `node tooling/test-env/src/node-binary.js 18 22 24` as .ci/run does';
const missing = ([18, 22, 24] as const).map(nodeBinaryUnavailableReason).find((reason) => reason !== undefined);

describe.skipIf(skipPrivileged('the tests of x on mixed Node versions', rootReason ?? missing, rootReason ? undefined : fetchRemedy))('x with --node-path on another Node', () => {
  for (const [runner, target] of [[undefined, 24], [22, 24], [24, 22]] as const) {
    const xNode = runner === undefined ? process.execPath : nodeBinary(runner)!;
    const xVersion = runner === undefined ? process.versions.node : NODE_BINARY_VERSIONS[runner];
    it(`x on Node ${xVersion} runs a function on Node ${NODE_BINARY_VERSIONS[target]} and prints its values`, async () => {
      const result = await x(['run', '--on', 'sudo:root', '--node-path', nodeBinary(target)!, '--json', `${values}#kinds`], { node: xNode });
      expect(result.code, result.stderr).toBe(0);
      expect(jsonLines(result.stdout)[0]).toMatchObject({ ok: true, result: { node: NODE_BINARY_VERSIONS[target], big: '-1180591620717411303424', map: { a: 1, b: ['2'] } } });
    });
  }

  it('fails a target whose node is too old with NodeNotFoundError naming its version and the minimum', async () => {
    const result = await x(['ping', '--on', 'sudo:root', '--node-path', nodeBinaryPath(18), '--json']);
    expect(result.code).toBe(1);
    expect(jsonLines(result.stdout)[0]).toMatchObject({
      ok: false,
      error: { name: 'NodeNotFoundError', code: 'ERR_X_REMOTE_NODE_NOT_FOUND', message: expect.stringContaining(`is Node ${NODE_BINARY_VERSIONS[18]}; contexts need Node >= 20.6.0`) },
    });
  });

  it('fails a target whose nodePath is not Node, saying so', async () => {
    const result = await x(['ping', '--on', 'sudo:root', '--node-path', '/bin/echo', '--json']);
    expect(result.code).toBe(1);
    const { error } = jsonLines(result.stdout)[0]!;
    expect(error).toMatchObject({ name: 'NodeNotFoundError', message: expect.stringMatching(/^"\/bin\/echo" on sudo to root is not Node/) });
    expect(error.message).not.toContain('readSync');
  });
});
