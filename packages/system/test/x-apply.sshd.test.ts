// `x apply` over the real loopback sshd and through sudo to root (privileged: root, sshd, sudo, dpkg):
// the site, with a real user and group, files under a temporary root-owned directory, a local
// .deb built here with dpkg-deb and installed by pkg without network, and a unit enabled through
// `systemctl --root`, applied to several targets. --check before the first apply changes nothing and
// reports what the apply then changes; the second apply and a --check after it report 0 changed.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useLeakCheck } from '@x/test-env';
import { type Sshd, type TestUser, createUser, skipPrivileged, startSshd } from '@x/test-env/sshd';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, x, resourceLines, treeHash } from './helpers.js';

useLeakCheck();

const skip = skipPrivileged('the x apply over ssh tests', spawnSync('sh', ['-c', 'command -v dpkg-deb && command -v systemctl']).status === 0 ? undefined : 'dpkg-deb or systemctl is missing');

/** Three targets; each logs in as its own account, so that on this one machine each has its own tree, account and package. */
const targets = [1, 2, 3];


/** What the machine's accounts and packages look like, beside the tree: check mode must leave them alone too. */
function systemState(): string {
  const packages = spawnSync('dpkg-query', ['--show', ...targets.map((n) => `xapply-demo-${n}`)], { encoding: 'utf8' }).stdout;
  return `${readFileSync('/etc/passwd', 'utf8')}\0${readFileSync('/etc/group', 'utf8')}\0${packages}`;
}


function cleanUp(): void {
  for (const n of targets) {
    spawnSync('dpkg', ['--purge', `xapply-demo-${n}`]);
    spawnSync('userdel', [`xapp${n}`]);
    spawnSync('groupdel', [`xapp${n}`]);
  }
}

describe.skipIf(skip)('x apply over ssh and sudo (loopback sshd)', () => {
  let sshd: Sshd;
  const users: TestUser[] = [];
  let cwd: string;
  let base: string;

  beforeAll(async () => {
    cleanUp();
    sshd = await startSshd();
    for (const n of targets) users.push(createUser(`xapply${n}`, { sudo: 'nopasswd' }));
    // The project: the site and an inventory, with @x/ops where the site imports it from.
    cwd = mkdtempSync(join(tmpdir(), 'x-apply-sshd-'));
    mkdirSync(join(cwd, 'node_modules', '@x'), { recursive: true });
    symlinkSync(join(repoRoot, 'packages', 'ops'), join(cwd, 'node_modules', '@x', 'ops'));
    // mkdtemp makes it 0700, and root owns it: only the sudo side of each target may touch it.
    base = mkdtempSync(join(tmpdir(), 'x-apply-root-'));
    mkdirSync(join(base, 'debs'));
    for (const n of targets) {
      const tree = join(cwd, `deb${n}`);
      mkdirSync(join(tree, 'DEBIAN'), { recursive: true });
      mkdirSync(join(tree, 'usr', 'share', `xapply-demo-${n}`), { recursive: true });
      writeFileSync(join(tree, 'DEBIAN', 'control'), `Package: xapply-demo-${n}\nVersion: 1.0-${n}\nArchitecture: all\nMaintainer: x tests <x@example.invalid>\nDescription: a package x apply's test installs\n`);
      writeFileSync(join(tree, 'usr', 'share', `xapply-demo-${n}`, 'README'), `demo ${n}\n`);
      execFileSync('dpkg-deb', ['--root-owner-group', '--build', tree, join(base, 'debs', `xapply-demo-${n}.deb`)], { stdio: 'ignore' });
    }
    writeFileSync(
      join(cwd, 'x.inventory.json'),
      JSON.stringify({
        defaults: { hostname: sshd.host, port: sshd.port, identityFile: sshd.clientKey, nodePath: process.execPath, sshArgs: ['-o', `UserKnownHostsFile=${sshd.knownHosts}`] },
        hosts: Object.fromEntries(targets.map((n) => [`web${n}`, { user: `xapply${n}` }])),
      }),
    );
    writeFileSync(
      join(cwd, 'site.ts'),
      `import { command, directory, facts, file, group, line, pkg, service, user } from '@x/ops';

const base = ${JSON.stringify(base)};

export default async function site() {
  // Each target logged in as its own account (xapplyN) before sudo: its own tree, app account and package.
  const login = process.env['SUDO_USER'] ?? 'none';
  const app = login.replace('xapply', 'xapp');
  const os = await facts();
  await group(app, { system: true });
  await user(app, { group: app, system: true, shell: '/usr/sbin/nologin' });
  const root = base + '/' + login;
  await directory(root + '/srv/app', { mode: 0o755, owner: app, group: app });
  const conf = await file(root + '/srv/app/config.json', { content: JSON.stringify({ port: 8080, os: os.osId }), mode: 0o640, owner: app, group: app });
  await line(root + '/hosts', { line: '10.0.0.5 db', match: /\\sdb$/, create: true });
  await command('cp /bin/true bin-app', { cwd: root + '/srv/app', creates: root + '/srv/app/bin-app' });
  await pkg(login.replace('xapply', 'xapply-demo-'), { deb: base + '/debs/' + login.replace('xapply', 'xapply-demo-') + '.deb' });
  await directory(root + '/image/etc/systemd/system', { recursive: true });
  await file(root + '/image/etc/systemd/system/' + app + '.service', {
    content: '[Unit]\\nDescription=x apply test\\n[Service]\\nExecStart=/bin/true\\n[Install]\\nWantedBy=multi-user.target\\n',
  });
  await service(app, { enabled: true, root: root + '/image' });
  if (conf.changed) await command('date > restarted', { cwd: root });
}
`,
    );
  }, 120_000);

  afterAll(async () => {
    cleanUp();
    for (const user of users) user.remove();
    await sshd?.stop();
    if (cwd) rmSync(cwd, { recursive: true, force: true });
    if (base) rmSync(base, { recursive: true, force: true });
  });

  const on = targets.map((n) => `web${n}/sudo`).join(',');
  // One target at a time: they share this machine's dpkg lock and /etc/passwd, which separate hosts would not.
  const apply = (...args: string[]) => x(['apply', '--on', on, '--parallel', '1', '--timeout', '120000', ...args, 'site.ts'], { cwd });

  it('--check first changes nothing (tree, accounts, packages) and reports what the apply then changes; then 0 changed twice', async () => {
    const tree = treeHash(base);
    const system = systemState();
    const check = await apply('--check');
    expect(check.code, check.stderr).toBe(0);
    expect(treeHash(base)).toBe(tree);
    expect(systemState()).toBe(system);

    const first = await apply('--diff');
    expect(first.code, first.stderr).toBe(0);
    for (const n of targets) {
      const name = `web${n}/sudo`;
      const lines = resourceLines(first.stdout, name);
      expect(lines).toEqual([
        `changed group xapp${n}`,
        `changed user xapp${n}`,
        `changed directory ${base}/xapply${n}/srv/app`,
        `changed file ${base}/xapply${n}/srv/app/config.json`,
        `changed line ${base}/xapply${n}/hosts`,
        'changed command cp /bin/true bin-app',
        `changed pkg xapply-demo-${n}`,
        `changed directory ${base}/xapply${n}/image/etc/systemd/system`,
        `changed file ${base}/xapply${n}/image/etc/systemd/system/xapp${n}.service`,
        `changed service xapp${n}`,
        'changed command date > restarted',
      ]);
      expect(resourceLines(check.stdout, name)).toEqual(lines);
      expect(first.stderr).toMatch(new RegExp(`\\n${name.replace('/', '\\/')} +ok=0 +changed=11 +failed=0 `));
      // The state itself, as root reads it here.
      const config = statSync(`${base}/xapply${n}/srv/app/config.json`);
      expect(config.mode & 0o777).toBe(0o640);
      expect(config.uid).toBe(Number(execFileSync('id', ['-u', `xapp${n}`], { encoding: 'utf8' })));
      expect(config.gid).toBe(Number(execFileSync('getent', ['group', `xapp${n}`], { encoding: 'utf8' }).split(':')[2]));
      expect(execFileSync('dpkg-query', ['--show', '--showformat=${Version}', `xapply-demo-${n}`], { encoding: 'utf8' })).toBe(`1.0-${n}`);
      expect(readFileSync(`/usr/share/xapply-demo-${n}/README`, 'utf8')).toBe(`demo ${n}\n`);
      expect(readlinkSync(`${base}/xapply${n}/image/etc/systemd/system/multi-user.target.wants/xapp${n}.service`)).toContain(`xapp${n}.service`);
      expect(existsSync(`${base}/xapply${n}/restarted`)).toBe(true);
    }
    expect(first.stdout).toContain(`web1/sudo | +++ ${base}/xapply1/srv/app/config.json (after)`);

    const after = treeHash(base);
    const second = await apply();
    expect(second.code, second.stderr).toBe(0);
    for (const n of targets) expect(second.stderr).toMatch(new RegExp(`\\nweb${n}\\/sudo +ok=10 +changed=0 +failed=0 `));
    expect(treeHash(base)).toBe(after);

    const again = await apply('--check');
    expect(again.code, again.stderr).toBe(0);
    for (const n of targets) expect(again.stderr).toMatch(new RegExp(`\\nweb${n}\\/sudo +ok=10 +changed=0 +failed=0 `));
  }, 600_000);
});
