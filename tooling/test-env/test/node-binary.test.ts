import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { NODE_BINARY_VERSIONS, fetchNodeBinary, nodeBinary, nodeBinaryPath, nodeBinaryUnavailableReason } from '../src/node-binary.js';
import { skipPrivileged } from '../src/sshd.js';
import { useLeakCheck } from '../src/index.js';

useLeakCheck();

describe('node-binary', () => {
  it('keeps each pinned version in node_modules/.cache/x-node/<version>/node', () => {
    for (const major of [18, 22, 24] as const) {
      expect(nodeBinaryPath(major)).toMatch(new RegExp(`/node_modules/\\.cache/x-node/${NODE_BINARY_VERSIONS[major].replaceAll('.', '\\.')}/node$`));
    }
  });

  it('refuses a major it has no pinned version for, naming those it has', () => {
    expect(() => nodeBinaryPath(16 as never)).toThrow('No Node 16 binary is known: NODE_BINARY_VERSIONS has 18, 22, 24.');
  });

  for (const major of [18, 22, 24] as const) {
    describe.skipIf(skipPrivileged(`the Node ${major} binary test`, nodeBinaryUnavailableReason(major), `fetch it with \`node tooling/test-env/src/node-binary.js ${major}\``))(`Node ${major}`, () => {
      it('is a working node of the pinned version, and fetching it again finds it in the cache', () => {
        expect(execFileSync(nodeBinary(major)!, ['--version'], { encoding: 'utf8' }).trim()).toBe(`v${NODE_BINARY_VERSIONS[major]}`);
        expect(fetchNodeBinary(major)).toBe(nodeBinaryPath(major));
      });
    });
  }
});
