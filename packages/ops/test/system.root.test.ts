import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { useLeakCheck } from '@x/test-env';
import { skipPrivileged } from '@x/test-env/sshd';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apply, directory, file, group, NoSystemdError, pkg, service, user } from '../src/index.js';

// What needs root, a package database or systemctl: accounts, a local .deb installed and removed
// without network, and service enablement in a unit tree (no systemd runs here as init).

useLeakCheck();

const rootReason = process.getuid?.() === 0 ? undefined : 'users, groups and packages need root';
const tools = ['useradd', 'groupadd', 'dpkg-deb', 'dpkg-query', 'apt-get', 'systemctl'];
const missing = tools.filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
const reason = rootReason ?? (missing.length > 0 ? `${missing.join(', ')} not installed` : undefined);
const skip = skipPrivileged('the @x/ops tests of users, groups, packages and services', reason, 'run as root on Debian with passwd, dpkg, apt and systemctl (.ci/run installs systemd)');

const USER = 'xopsuser';
const GROUPS = ['xopsgrp', 'xopsgrp2'];
const PACKAGE = 'x-ops-test';

function cleanUp(): void {
  spawnSync('userdel', ['--remove', USER], { stdio: 'ignore' });
  for (const name of GROUPS) spawnSync('groupdel', [name], { stdio: 'ignore' });
  spawnSync('dpkg', ['--purge', PACKAGE], { stdio: 'ignore' });
}

function installedVersion(): string | undefined {
  const query = spawnSync('dpkg-query', ['--show', '--showformat=${db:Status-Abbrev} ${Version}', PACKAGE], { encoding: 'utf8' });
  return query.stdout.startsWith('ii') ? query.stdout.slice(4).trim() : undefined;
}

let scratch: string;

describe.skipIf(skip)('on a real host, as root', () => {
  beforeAll(() => {
    cleanUp();
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'x-ops-root-'));
  });
  afterAll(() => {
    cleanUp();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  describe('group() and user()', () => {
    it('under check mode, reports a user, its group and a file it owns as changes without making them', async () => {
      const owned = path.join(scratch, 'planned');
      const events: string[] = [];
      const site = async (): Promise<void> => {
        await group(GROUPS[0]!);
        await user(USER, { group: GROUPS[0]! });
        await file(owned, { content: 'x\n', owner: USER, group: GROUPS[0]! });
      };
      expect(await apply(site, { check: true, onEvent: (e) => events.push(`${e.status} ${e.resource} ${e.actions.join(',')}`) })).toEqual({ ok: 0, changed: 3, failed: 0 });
      expect(events).toEqual(['changed group created', 'changed user created', 'changed file created']);
      expect([spawnSync('getent', ['group', GROUPS[0]!]).status, spawnSync('id', [USER]).status, fs.existsSync(owned)]).toEqual([2, 1, false]);
    });

    it('creates a group, changes its gid, then finds nothing to do', async () => {
      expect(await group(GROUPS[0]!, { gid: 23456 })).toEqual({ changed: true, actions: ['created'], gid: 23456 });
      expect(await group(GROUPS[0]!, { gid: 23456 })).toEqual({ changed: false, actions: [], gid: 23456 });
      expect(await group(GROUPS[0]!, { gid: 23457 })).toEqual({ changed: true, actions: ['gid 23457'], gid: 23457 });
      expect(execFileSync('getent', ['group', GROUPS[0]!], { encoding: 'utf8' })).toMatch(/:23457:/);
      expect((await group(GROUPS[1]!, { system: true })).changed).toBe(true);
    });

    it('names a missing group before creating the user', async () => {
      await expect(user(USER, { group: 'xops-no-such-group' })).rejects.toMatchObject({ code: 'ERR_X_OPS_NO_SUCH_GROUP', group: 'xops-no-such-group' });
      expect(spawnSync('id', [USER]).status).not.toBe(0);
    });

    it('creates a user with its groups and shell, changes only what differs, then finds nothing to do', async () => {
      const home = path.join(scratch, 'home');
      const want = { group: GROUPS[0]!, groups: [GROUPS[1]!], shell: '/bin/sh', home };
      expect(await user(USER, want)).toMatchObject({ changed: true, actions: ['created'], uid: expect.any(Number) });
      expect(execFileSync('id', ['-Gn', USER], { encoding: 'utf8' }).trim().split(' ').sort()).toEqual([...GROUPS].sort());
      expect(fs.statSync(home).isDirectory()).toBe(true);
      expect(await user(USER, want)).toMatchObject({ changed: false, actions: [] });
      expect(await user(USER, { ...want, shell: '/bin/bash', groups: [] })).toMatchObject({ changed: true, actions: ['groups (none)', 'shell /bin/bash'] });
      expect(execFileSync('id', ['-Gn', USER], { encoding: 'utf8' }).trim()).toBe(GROUPS[0]);
      expect(await user(USER, { ...want, shell: '/bin/bash', groups: [] })).toMatchObject({ changed: false });
    });

    it('gives files and directories to the user and group by name', async () => {
      const dir = path.join(scratch, 'owned');
      expect(await directory(dir, { owner: USER, group: GROUPS[1]!, mode: 0o750 })).toEqual({ changed: true, actions: ['created'] });
      const conf = path.join(dir, 'conf');
      await file(conf, { content: 'x\n' });
      expect(await file(conf, { content: 'x\n', owner: USER, group: GROUPS[0]! })).toEqual({ changed: true, actions: [`owner ${USER}`, `group ${GROUPS[0]}`] });
      const uid = Number(execFileSync('id', ['-u', USER], { encoding: 'utf8' }));
      expect([fs.statSync(dir).uid, fs.statSync(conf).uid]).toEqual([uid, uid]);
      expect(await file(conf, { content: 'x\n', owner: USER, group: GROUPS[0]! })).toEqual({ changed: false, actions: [] });
    });

    it('removes the user and the groups, under check mode nothing', async () => {
      expect(await apply(() => user(USER, { state: 'absent' }), { check: true })).toEqual({ ok: 0, changed: 1, failed: 0 });
      expect(spawnSync('id', [USER]).status).toBe(0);
      expect(await user(USER, { state: 'absent' })).toEqual({ changed: true, actions: ['removed'], uid: undefined });
      expect(await user(USER, { state: 'absent' })).toEqual({ changed: false, actions: [], uid: undefined });
      for (const name of GROUPS) expect((await group(name, { state: 'absent' })).changed).toBe(true);
      expect(spawnSync('getent', ['group', GROUPS[0]!]).status).not.toBe(0);
    });
  });

  describe('pkg()', () => {
    function buildDeb(version: string): string {
      const tree = path.join(scratch, `deb-${version}`);
      fs.mkdirSync(path.join(tree, 'DEBIAN'), { recursive: true });
      fs.mkdirSync(path.join(tree, 'usr', 'share', PACKAGE), { recursive: true });
      fs.writeFileSync(path.join(tree, 'usr', 'share', PACKAGE, 'version'), `${version}\n`);
      fs.writeFileSync(
        path.join(tree, 'DEBIAN', 'control'),
        `Package: ${PACKAGE}\nVersion: ${version}\nArchitecture: all\nMaintainer: x <x@example.invalid>\nDescription: a package the @x/ops tests install\n`,
      );
      const deb = path.join(scratch, `${PACKAGE}_${version}_all.deb`);
      execFileSync('dpkg-deb', ['--root-owner-group', '--build', tree, deb], { stdio: 'ignore' });
      return deb;
    }

    it('installs a local .deb without network, upgrades it, then removes it, each once', async () => {
      const first = buildDeb('1.0');
      expect(await apply(() => pkg(PACKAGE, { deb: first }), { check: true })).toEqual({ ok: 0, changed: 1, failed: 0 });
      expect(installedVersion()).toBeUndefined();
      expect(await pkg(PACKAGE, { deb: first })).toEqual({ changed: true, actions: [`installed ${first}`], installed: [PACKAGE], removed: [] });
      expect(installedVersion()).toBe('1.0');
      expect(await pkg(PACKAGE, { deb: first })).toMatchObject({ changed: false });
      expect(await pkg([PACKAGE])).toMatchObject({ changed: false });
      const second = buildDeb('1.1');
      expect(await pkg(PACKAGE, { deb: second })).toMatchObject({ changed: true });
      expect(installedVersion()).toBe('1.1');
      expect(await apply(() => pkg(PACKAGE, { state: 'absent' }), { check: true })).toEqual({ ok: 0, changed: 1, failed: 0 });
      expect(installedVersion()).toBe('1.1');
      expect(await pkg(PACKAGE, { state: 'absent' })).toEqual({ changed: true, actions: [`removed ${PACKAGE}`], installed: [], removed: [PACKAGE] });
      expect(installedVersion()).toBeUndefined();
      expect(await pkg(PACKAGE, { state: 'absent' })).toMatchObject({ changed: false });
    });

    it('refuses a .deb of another package, and fails naming apt-get for a package it cannot find', async () => {
      const deb = buildDeb('2.0');
      await expect(pkg('other-name', { deb })).rejects.toMatchObject({ code: 'ERR_X_INVALID_ARG', argument: 'options.deb' });
      const failure = await pkg('x-ops-no-such-package').catch((e: unknown) => e);
      expect(failure).toMatchObject({ code: 'ERR_X_OPS_COMMAND_FAILED', exitCode: 100, message: expect.stringContaining('x-ops-no-such-package') });
    });
  });

  describe('service()', () => {
    it('enables and disables a unit in a root tree with systemctl --root, each once', async () => {
      const root = path.join(scratch, 'image');
      const units = path.join(root, 'etc', 'systemd', 'system');
      fs.mkdirSync(units, { recursive: true });
      fs.writeFileSync(path.join(units, 'xops-test.service'), '[Unit]\nDescription=x ops test\n[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n');
      const wants = path.join(units, 'multi-user.target.wants', 'xops-test.service');
      expect(await service('xops-test', { enabled: true, root })).toEqual({ changed: true, actions: ['enabled'] });
      expect(fs.lstatSync(wants).isSymbolicLink()).toBe(true);
      expect(await service('xops-test', { enabled: true, root })).toEqual({ changed: false, actions: [] });
      expect(await apply(() => service('xops-test', { enabled: false, root }), { check: true })).toEqual({ ok: 0, changed: 1, failed: 0 });
      expect(fs.lstatSync(wants, { throwIfNoEntry: false })).toBeDefined(); // a link into the image: existsSync would follow it
      expect(await service('xops-test', { enabled: false, root })).toEqual({ changed: true, actions: ['disabled'] });
      expect(fs.lstatSync(wants, { throwIfNoEntry: false })).toBeUndefined();
    });

    it('says a state needs a running systemd where none runs, and refuses a state with root', async () => {
      const init = fs.existsSync('/run/systemd/system');
      if (!init) {
        const failure = await service('xops-test', { state: 'restarted' }).catch((e: unknown) => e);
        expect(failure).toBeInstanceOf(NoSystemdError);
        expect(failure).toMatchObject({ code: 'ERR_X_OPS_NO_SYSTEMD', service: 'xops-test' });
      }
      await expect(service('xops-test', { state: 'started', root: scratch })).rejects.toMatchObject({ code: 'ERR_X_INVALID_ARG', argument: 'options.state' });
    });
  });
});
