// x's default retry of a transient refusal, against a real sshd past its MaxStartups (privileged:
// root, sshd). One held unauthenticated connection fills sshd's only startup slot, so x's login is
// dropped (`kex_exchange_identification: Connection closed by remote host`, or reset by peer); x says
// it retries, the slot is freed, and the retry gets in.
import { type Socket, connect } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useLeakCheck } from '@x/test-env';
import { type Sshd, skipPrivileged, startSshd } from '@x/test-env/sshd';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoneLeft, startX, until } from './helpers.js';

useLeakCheck();

const skip = skipPrivileged('the x retry tests');

/** A connection sshd accepted (its banner came) and that never logs in: it holds the startup slot. */
async function holdStartupSlot(port: number): Promise<Socket> {
  for (;;) {
    const socket = connect({ host: '127.0.0.1', port });
    const accepted = await new Promise<boolean>((resolve) => {
      socket.once('data', (chunk: Buffer) => resolve(chunk.toString('latin1').startsWith('SSH-')));
      socket.once('close', () => resolve(false));
      socket.once('error', () => resolve(false));
    });
    if (accepted) return socket;
    // Dropped: the fixture's readiness probe still held the slot.
    socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(skip)('x and an sshd past its MaxStartups', () => {
  let sshd: Sshd;
  let cwd: string;

  beforeAll(async () => {
    // From one unauthenticated connection on, sshd drops every new one.
    sshd = await startSshd({ config: ['MaxStartups 1'] });
    cwd = mkdtempSync(join(tmpdir(), 'x-retry-sshd-'));
    writeFileSync(
      join(cwd, 'x.inventory.json'),
      JSON.stringify({
        defaults: { identityFile: sshd.clientKey, nodePath: process.execPath, sshArgs: ['-F', '/dev/null', '-o', `UserKnownHostsFile=${sshd.knownHosts}`] },
        hosts: { loop: { hostname: sshd.host, port: sshd.port, user: 'root' } },
      }),
    );
  }, 60_000);

  afterAll(async () => {
    await sshd?.stop();
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  it('retries the dropped login without being asked, says so, and counts the retry in the summary', async () => {
    const held = await holdStartupSlot(sshd.port);
    try {
      const run = startX(['ping', '--on', 'loop'], { cwd });
      await until(() => run.stderr().includes('loop | connection failed, retry 1 of 3'));
      held.destroy();
      const result = await run.result;
      await expectNoneLeft(result.marker);
      expect(result.stderr).toMatch(/^loop \| connection failed, retry 1 of 3 in \d+ ms: \w+ ERR_X_REMOTE_CONNECTION_RESET: kex_exchange_identification: (read: )?Connection (reset by peer|closed by remote host)/m);
      expect(result.code).toBe(0);
      // sshd frees the slot once it sees the close: the second try may still have come too soon.
      expect(result.stderr).toMatch(/^loop +ok +[123] +/m);
      expect(result.stderr).toMatch(/\n1 of 1 target succeeded in .* after [123] connection retr(y|ies)\n$/);
    } finally {
      held.destroy();
    }
  });

  it('--retries 0 turns the default retry off: the dropped login fails the target at once', async () => {
    const held = await holdStartupSlot(sshd.port);
    try {
      // Unshared: the test before left its login up (--ssh-persist), which would carry this one past sshd's limit.
      const run = startX(['ping', '--on', 'loop', '--retries', '0', '--ssh-persist', '0', '--json'], { cwd });
      const result = await run.result;
      await expectNoneLeft(result.marker);
      expect(result.code).toBe(1);
      expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, attempts: 1, error: { code: 'ERR_X_REMOTE_CONNECTION_RESET', transient: true } });
    } finally {
      held.destroy();
    }
  });
});
