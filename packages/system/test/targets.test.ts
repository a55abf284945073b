// parseTargets(): the --on syntax, with and without an inventory.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inventoryLoader, loadInventory } from '../src/x/inventory.js';
import { parseTargets } from '../src/x/targets.js';

const scratch = mkdtempSync(join(tmpdir(), 'x-targets-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const none = () => undefined;

describe('parseTargets()', () => {
  it('reads local and local*N as local contexts with distinct names', () => {
    expect(parseTargets('local', none)).toEqual([{ name: 'local', hops: [{ method: 'local' }] }]);
    expect(parseTargets('local*3', none).map((t) => t.name)).toEqual(['local-1', 'local-2', 'local-3']);
    expect(parseTargets('local*1', none).map((t) => t.name)).toEqual(['local']);
  });

  it('reads ssh://user@host:port, user@host, host and [IPv6]:port as ssh hops', () => {
    expect(parseTargets('ssh://deploy@web1:2222', none)[0]!.hops).toEqual([{ method: 'ssh', alias: 'web1', hostname: 'web1', username: 'deploy', port: 2222 }]);
    expect(parseTargets('deploy@web1', none)[0]!.hops).toEqual([{ method: 'ssh', alias: 'web1', hostname: 'web1', username: 'deploy' }]);
    expect(parseTargets('web1.example.org', none)[0]!.hops).toEqual([{ method: 'ssh', alias: 'web1.example.org', hostname: 'web1.example.org' }]);
    expect(parseTargets('ssh://[::1]:22', none)[0]!.hops).toEqual([{ method: 'ssh', alias: '::1', hostname: '::1', port: 22 }]);
  });

  it('reads chains joined by slashes, sudo and su with root as the default user', () => {
    expect(parseTargets('ssh://web1/sudo:postgres', none)[0]).toEqual({
      name: 'ssh://web1/sudo:postgres',
      hops: [
        { method: 'ssh', alias: 'web1', hostname: 'web1' },
        { method: 'sudo', username: 'postgres' },
      ],
    });
    expect(parseTargets('bastion/ssh://db1/su', none)[0]!.hops.map((hop) => hop.method)).toEqual(['ssh', 'ssh', 'su']);
    expect(parseTargets('local/sudo', none)[0]!.hops).toEqual([{ method: 'sudo', username: 'root' }]);
  });

  it('reads comma lists in order and makes repeated names unique', () => {
    expect(parseTargets('local, web1 ,local', none).map((t) => t.name)).toEqual(['local', 'web1', 'local#2']);
  });

  it('expands groups from the inventory, nested, and gives an ssh hop its host options', () => {
    const path = join(scratch, 'x.inventory.json');
    writeFileSync(
      path,
      JSON.stringify({
        defaults: { user: 'deploy' },
        hosts: { web1: { hostname: '10.0.0.1', port: 2222, identityFile: '~/.ssh/web', nodePath: '/opt/node/bin/node' }, web2: {} },
        groups: { web: ['web1', 'root@web2'], all: ['@web', 'web1/sudo'] },
      }),
    );
    const inventory = inventoryLoader(undefined, scratch);
    const targets = parseTargets('@all', inventory);
    expect(targets.map((t) => t.name)).toEqual(['web1', 'root@web2', 'web1/sudo']);
    expect(targets[0]!.hops[0]).toEqual({
      method: 'ssh',
      alias: 'web1',
      hostname: '10.0.0.1',
      username: 'deploy',
      port: 2222,
      identityFile: join(homedir(), '.ssh/web'),
      nodePath: '/opt/node/bin/node',
    });
    expect(targets[1]!.hops[0]).toMatchObject({ hostname: 'web2', username: 'root' });
  });

  it('gives every ssh hop of a chain its own host options, the first and the later ones', () => {
    const path = join(scratch, 'chain.json');
    writeFileSync(
      path,
      JSON.stringify({
        defaults: { user: 'deploy' },
        hosts: {
          bastion: { hostname: '192.0.2.1', port: 2200 },
          db1: { hostname: '10.0.0.5', user: 'dba', port: 2222, identityFile: '/keys/db', nodePath: '~/.nvm/versions/node/v20.19.0/bin/node', checkHostKeys: 'strict', sshArgs: ['-o', 'ConnectTimeout=5'] },
        },
      }),
    );
    const [target] = parseTargets('bastion/db1/sudo', () => loadInventory(path));
    expect(target!.hops).toEqual([
      { method: 'ssh', alias: 'bastion', hostname: '192.0.2.1', username: 'deploy', port: 2200 },
      {
        method: 'ssh',
        alias: 'db1',
        hostname: '10.0.0.5',
        username: 'dba',
        port: 2222,
        identityFile: '/keys/db',
        nodePath: '~/.nvm/versions/node/v20.19.0/bin/node',
        checkHostKeys: 'strict',
        sshArgs: ['-o', 'ConnectTimeout=5'],
      },
      { method: 'sudo', username: 'root' },
    ]);
  });

  it('rejects a group that includes itself', () => {
    const path = join(scratch, 'loop.yaml');
    writeFileSync(path, 'groups:\n  a: ["@b"]\n  b: ["@a"]\n');
    expect(() => parseTargets('@a', () => loadInventory(path))).toThrow(expect.objectContaining({ code: 'ERR_X_TARGET_SYNTAX', message: expect.stringContaining('a -> b -> a') }));
  });
});

describe('loadInventory()', () => {
  it('reads YAML and JSON alike', () => {
    const yaml = join(scratch, 'inv.yaml');
    writeFileSync(yaml, 'hosts:\n  db1:\n    port: 2200\ngroups:\n  db: db1\n');
    expect(loadInventory(yaml)).toMatchObject({ hosts: new Map([['db1', { port: 2200 }]]), groups: new Map([['db', ['db1']]]) });
  });

  it.each([
    ['{"hosts": {"a": {"port": 0}}}', /hosts\.a\.port: a port is a number from 1 to 65535/],
    ['{"hosts": {"a": {"password": "x"}}}', /hosts\.a\.password: unknown host option/],
    ['{"groups": {"g": [1]}}', /groups\.g: a group is a list of targets/],
    ['{"hosts": {}, "servers": {}}', /servers: unknown field/],
    ['{"hosts": ', /cannot parse the inventory/],
  ])('rejects %s with ERR_X_INVENTORY saying what is wrong', (text, message) => {
    const path = join(scratch, 'bad.json');
    writeFileSync(path, text);
    expect(() => loadInventory(path)).toThrow(expect.objectContaining({ code: 'ERR_X_INVENTORY', message: expect.stringMatching(message) }));
  });

  it('refuses two inventories in one directory and a named one that does not exist', () => {
    const dir = mkdtempSync(join(scratch, 'two-'));
    writeFileSync(join(dir, 'x.inventory.json'), '{}');
    writeFileSync(join(dir, 'x.inventory.yaml'), '');
    expect(() => inventoryLoader(undefined, dir)).toThrow(expect.objectContaining({ code: 'ERR_X_INVENTORY', message: expect.stringContaining('keep one') }));
    expect(() => inventoryLoader('missing.yaml', dir)).toThrow(expect.objectContaining({ code: 'ERR_X_INVENTORY', message: expect.stringContaining('no such file') }));
  });
});
