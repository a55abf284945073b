// x over ssh into a pipe whose reader goes away after the first line (privileged: root, sshd): x ends
// by SIGPIPE and the commands still running on the host are killed with their contexts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useLeakCheck } from '@x/test-env';
import { type Sshd, skipPrivileged, startSshd } from '@x/test-env/sshd';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAfterFirstLine, turn, turnCommand } from './pipe-helpers.js';

useLeakCheck();

const skip = skipPrivileged('the x-over-ssh pipe tests');

describe.skipIf(skip)('x over ssh with a reader that goes away', () => {
  let sshd: Sshd;
  let cwd: string;

  beforeAll(async () => {
    sshd = await startSshd();
    cwd = mkdtempSync(join(tmpdir(), 'x-pipe-sshd-'));
    writeFileSync(
      join(cwd, 'x.inventory.json'),
      JSON.stringify({
        defaults: { identityFile: sshd.clientKey, nodePath: process.execPath, sshArgs: ['-F', '/dev/null', '-o', `UserKnownHostsFile=${sshd.knownHosts}`] },
        hosts: { loop: { hostname: sshd.host, port: sshd.port, user: 'root' } },
        groups: { four: ['loop', 'loop', 'loop', 'loop'] },
      }),
    );
  }, 60_000);

  afterAll(async () => {
    await sshd?.stop();
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  it('exec --json: ends by SIGPIPE, quietly, and the commands still running on the host are killed', { timeout: 120_000 }, async () => {
    const run = turn(cwd, 4);
    const result = await closeAfterFirstLine(['exec', '--on', '@four', '--json', '--', ...turnCommand(run.dir)], { cwd, after: run.closed });
    expect(JSON.parse(result.first)).toMatchObject({ ok: true, result: { stdout: 'first\n' } });
    expect(result).toMatchObject({ code: null, signal: 'SIGPIPE', stderr: '' });
    await run.expectLateGone();
  });
});
