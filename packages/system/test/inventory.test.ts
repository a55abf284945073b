// loadInventory() and inventoryLoader(): which format a file is, how Ansible's INI and YAML are read
// (values, ranges, sections, vars files), how their variables become x's host options, and what is
// refused with ERR_X_INVENTORY. The agreement with Ansible itself is inventory-ansible.test.ts.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expandHostPattern } from '../src/x/ansible-model.js';
import { graphInventory, listInventory } from '../src/x/commands/inventory.js';
import { groupsOf, inventoryLoader, loadInventory } from '../src/x/inventory.js';
import { pythonLiteral } from '../src/x/python-literal.js';
import { shellJoin, shellWords } from '../src/x/shell-words.js';
import { parseTargets } from '../src/x/targets.js';

const scratch = mkdtempSync(join(tmpdir(), 'x-inventory-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let count = 0;
/** Writes `files` (relative path -> text) into a fresh directory; gives the path of the first. */
function write(files: Record<string, string>): string {
  const dir = join(scratch, String(++count));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return join(dir, Object.keys(files)[0]!);
}

const quiet = { warn: () => {} };

describe('loadInventory() format detection', () => {
  it("reads x's own format from x.inventory.* and from any file whose fields are x's", () => {
    expect(loadInventory(write({ 'x.inventory.yaml': 'hosts:\n  web1: { port: 2222 }\n' })).format).toBe('x');
    expect(loadInventory(write({ 'fleet.yaml': 'groups:\n  web: [web1]\n' })).format).toBe('x');
    expect(loadInventory(write({ 'fleet.json': '{"defaults": {"user": "deploy"}}' })).format).toBe('x');
  });

  it('reads an INI inventory whatever its name, and a YAML one by its shape', () => {
    expect(loadInventory(write({ hosts: '[web]\nweb1\n' }), quiet).format).toBe('ansible');
    expect(loadInventory(write({ 'hosts.ini': 'web1\nweb2\n' }), quiet).groups.get('ungrouped')).toEqual(['web1', 'web2']);
    expect(loadInventory(write({ 'inventory.yml': 'all:\n  hosts:\n    web1:\n' }), quiet).format).toBe('ansible');
    // An Ansible group may be called hosts: its hosts/vars/children mapping tells it from x's field.
    expect(loadInventory(write({ 'inventory.yml': 'hosts:\n  hosts:\n    web1:\n' }), quiet).groups.get('hosts')).toEqual(['web1']);
  });

  it("keeps x's error for a misspelled field of x's format", () => {
    expect(() => loadInventory(write({ 'fleet.json': '{"hosts": {}, "grups": {}}' }))).toThrow(expect.objectContaining({ code: 'ERR_X_INVENTORY', message: expect.stringContaining('grups: unknown field') }));
  });
});

describe('Ansible INI inventories', () => {
  it('reads values as Ansible does: numbers, quoted strings, Python literals, the rest as text', () => {
    const path = write({
      'hosts.ini': [
        "web1 ansible_port=2222 ansible_user='deploy' a=[1,'x'] b=true c=True d=10.0.0.1 e=022 f=\"two words\"",
        '[web:vars]',
        'g = "quoted value"',
        'h = plain text # not a comment in [vars]',
        '[web]',
        'web1',
      ].join('\n'),
    });
    const inventory = loadInventory(path, quiet);
    expect(inventory.hosts.get('web1')).toEqual({ port: 2222, user: 'deploy' });
    expect(pythonLiteral("[1,'x']")).toEqual([1, 'x']);
    expect(pythonLiteral('true')).toBe('true');
    expect(pythonLiteral('True')).toBe(true);
    expect(pythonLiteral('10.0.0.1')).toBe('10.0.0.1');
    expect(pythonLiteral('022')).toBe('022');
    expect(pythonLiteral('{"a": -1.5e3, \'b\': None}')).toEqual({ a: -1500, b: null });
    expect(pythonLiteral("'tab\\there'")).toBe('tab\there');
  });

  it('splits host lines like a shell, with # comments and quotes', () => {
    expect(shellWords(`db1 a='x y' b="say \\"hi\\"" c=d\\ e # comment`, { comments: true })).toEqual(['db1', 'a=x y', 'b=say "hi"', 'c=d e']);
    expect(shellWords(`-o ProxyJump=bastion -o "ServerAliveInterval 5" ''`)).toEqual(['-o', 'ProxyJump=bastion', '-o', 'ServerAliveInterval 5', '']);
    expect(shellWords(shellJoin(['-o', "it's here", 'plain']))).toEqual(['-o', "it's here", 'plain']);
    expect(() => shellWords(`a 'open`)).toThrow(expect.objectContaining({ code: 'ERR_X_SHELL_WORDS' }));
  });

  it('expands ranges: numbers, zero-padded, letters, steps, several in one name, and a port', () => {
    expect(expandHostPattern('web[01:03].example.com', 'f').names).toEqual(['web01.example.com', 'web02.example.com', 'web03.example.com']);
    expect(expandHostPattern('db-[a:c]', 'f').names).toEqual(['db-a', 'db-b', 'db-c']);
    expect(expandHostPattern('n[1:9:4]', 'f').names).toEqual(['n1', 'n5', 'n9']);
    expect(expandHostPattern('r[1:2]-[a:b]', 'f').names).toEqual(['r1-a', 'r1-b', 'r2-a', 'r2-b']);
    expect(expandHostPattern('db[1:2]:2222', 'f')).toEqual({ names: ['db1', 'db2'], port: 2222 });
    expect(expandHostPattern('[::1]:2200', 'f')).toEqual({ names: ['::1'], port: 2200 });
  });

  it.each([
    ['web[1:]', /has no end/],
    ['web[01:9]', /same number of digits/],
    ['web[c:a]', /ends before it begins/],
    ['web[1:2:3:4]', /begin:end or begin:end:step/],
    ['web[1:2', /'\[' without '\]'/],
    ['web:', /reserved for a port/],
  ])('refuses the host %s with ERR_X_INVENTORY', (pattern, message) => {
    expect(() => expandHostPattern(pattern, 'hosts.ini')).toThrow(expect.objectContaining({ code: 'ERR_X_INVENTORY', message: expect.stringMatching(message) }));
  });

  it.each([
    ['[web]\nweb1 port', /hosts\.ini:2: expected key=value after the host name, got 'port'/],
    ['[web:bogus]\nweb1', /hosts\.ini:1: the section \[web:bogus\] has an unknown type/],
    ['[web ]\nweb1', /hosts\.ini:1: '\[web \]' is not a section/],
    ['[db:vars]\nx=1', /hosts\.ini:1: \[db:vars\] is for a group that is never declared/],
    ['[dc:children]\nweb', /hosts\.ini:2: \[dc:children\] names 'web', which is no group/],
    ['[a:children]\nb\n[b:children]\na', /a group cannot contain itself/],
    ['[web]\nweb1 a="open', /hosts\.ini:2: no closing quotation/],
  ])('refuses %j naming the file and line', (text, message) => {
    expect(() => loadInventory(write({ 'hosts.ini': text }), quiet)).toThrow(expect.objectContaining({ code: 'ERR_X_INVENTORY', message: expect.stringMatching(message) }));
  });

  it('accepts children declared before their group, and puts a host in ungrouped only when it is in no other group', () => {
    const inventory = loadInventory(write({ 'hosts.ini': 'web1\nlone\n[dc:children]\nweb\n[web]\nweb1\n' }), quiet);
    expect(inventory.tree.get('ungrouped')!.hosts).toEqual(['lone']);
    expect(inventory.tree.get('dc')!.children).toEqual(['web']);
    expect(inventory.groups.get('dc')).toEqual(['web1']);
    expect(inventory.groups.get('all')).toEqual(['lone', 'web1']);
  });
});

describe('Ansible YAML inventories', () => {
  it('reads hosts, vars and nested children, YAML 1.1 booleans and a host given as a string', () => {
    const inventory = loadInventory(
      write({
        'inventory.yml': 'all:\n  children:\n    web:\n      hosts: web1\n      vars: { ansible_become: yes }\n      children:\n        canary:\n          hosts:\n            web2: { ansible_port: "2202" }\n',
      }),
      quiet,
    );
    expect(inventory.groups.get('web')).toEqual(['web1', 'web2']);
    expect(inventory.hosts.get('web2')).toEqual({ port: 2202, become: { method: 'sudo', user: 'root' } });
  });

  it('warns about keys that are no group section, and refuses an inventory plugin configuration', () => {
    const warnings: string[] = [];
    loadInventory(write({ 'inventory.yml': 'all:\n  hosts:\n    web1:\n  hostz:\n    web2:\n' }), { warn: (message) => warnings.push(message) });
    expect(warnings).toEqual([expect.stringContaining("skipped 'hostz' in group 'all'")]);
    expect(() => loadInventory(write({ 'aws_ec2.yml': 'plugin: amazon.aws.aws_ec2\nregions: [eu-west-1]\n' }), quiet)).toThrow(
      expect.objectContaining({ code: 'ERR_X_INVENTORY', message: expect.stringContaining('inventory plugin') }),
    );
  });
});

describe("an inventory script's JSON (ansible-inventory --list)", () => {
  it('reads groups as lists or mappings, children, group vars and _meta.hostvars, names taken as they are', () => {
    const inventory = loadInventory(
      write({
        'fleet.json': JSON.stringify({
          _meta: { hostvars: { 'web[1:2]': { ansible_port: 2201 }, db1: { ansible_user: 'dba' } } },
          all: { children: ['ungrouped', 'dc'] },
          dc: { children: ['web', 'db'], vars: { ansible_user: 'ops' } },
          web: ['web[1:2]'],
          db: { hosts: ['db1'] },
        }),
      }),
      quiet,
    );
    expect(inventory.format).toBe('ansible');
    expect(inventory.groups.get('dc')).toEqual(['web[1:2]', 'db1']);
    expect(inventory.hosts.get('web[1:2]')).toEqual({ port: 2201, user: 'ops' });
    expect(inventory.hosts.get('db1')).toEqual({ user: 'dba' });
  });

  it('refuses a group whose hosts are not a list of names', () => {
    expect(() => loadInventory(write({ 'fleet.json': '{"_meta": {}, "web": {"hosts": "web1"}}' }), quiet)).toThrow(
      expect.objectContaining({ code: 'ERR_X_INVENTORY', message: expect.stringContaining("the hosts of group 'web' must be a list of names") }),
    );
  });
});

describe('Ansible variables as x host options', () => {
  it('maps the connection variables, the later alias winning, and splits ssh arguments like a shell', () => {
    const inventory = loadInventory(
      write({
        'hosts.ini': [
          '[db]',
          `db1 ansible_host=a ansible_ssh_host=b ansible_port=22 ansible_ssh_port=2222 ansible_user=u ansible_ssh_private_key_file=~/.ssh/db x_node_path=~/node/bin/node ansible_ssh_common_args='-o ProxyJump=j' ansible_ssh_extra_args="-o 'ConnectTimeout 5'"`,
          'db2 ansible_connection=local ansible_become=true ansible_become_method=su ansible_become_user=postgres',
        ].join('\n'),
      }),
      quiet,
    );
    expect(inventory.hosts.get('db1')).toEqual({
      hostname: 'b',
      port: 2222,
      user: 'u',
      identityFile: join(homedir(), '.ssh/db'),
      nodePath: '~/node/bin/node',
      sshArgs: ['-o', 'ProxyJump=j', '-o', 'ConnectTimeout 5'],
    });
    expect(inventory.hosts.get('db2')).toEqual({ connection: 'local', become: { method: 'su', user: 'postgres' } });
  });

  it('applies group_vars/ and host_vars/ beside the file: all < parent < child < host, files after the inventory', () => {
    const path = write({
      'hosts.ini': '[parent:children]\nchild\n[child]\nh1 ansible_user=inline\nh2\n[parent:vars]\nansible_port=1001\n[all:vars]\nansible_port=1000\nx_node_path=/all\n',
      'group_vars/all.yml': 'x_node_path: /all-file\n',
      'group_vars/child/port.yaml': 'ansible_port: 1002\n',
      'host_vars/h1.json': '{"ansible_user": "file"}',
    });
    const inventory = loadInventory(path, quiet);
    expect(inventory.hosts.get('h1')).toEqual({ port: 1002, user: 'file', nodePath: '/all-file' });
    expect(inventory.hosts.get('h2')).toEqual({ port: 1002, nodePath: '/all-file' });
    expect(inventory.defaults).toEqual({ port: 1000, nodePath: '/all-file' });
  });

  it.each([
    ['db1 ansible_host="{{ inventory_hostname }}.example.com"', /ansible_host is a Jinja2 template/],
    ['db1 ansible_become=true ansible_become_method=doas', /ansible_become_method doas is not one x has/],
    ['db1 ansible_connection=docker', /ansible_connection docker is not one x has/],
    ['db1 ansible_port=70000', /ansible_port is a port from 1 to 65535/],
    ['db1 ansible_become=maybe', /ansible_become is true or false/],
  ])('refuses %s with a message that says what to do', (line, message) => {
    expect(() => loadInventory(write({ 'hosts.ini': `[db]\n${line}\n` }), quiet)).toThrow(expect.objectContaining({ code: 'ERR_X_INVENTORY', message: expect.stringMatching(message) }));
  });

  it('refuses a vault-encrypted value or vars file, which x cannot decrypt', () => {
    expect(() => loadInventory(write({ 'inventory.yml': 'all:\n  hosts:\n    db1:\n      ansible_user: !vault |\n        $ANSIBLE_VAULT;1.1;AES256\n        6162\n' }), quiet)).toThrow(
      expect.objectContaining({ code: 'ERR_X_INVENTORY', message: expect.stringContaining('ansible_user is encrypted with Ansible Vault') }),
    );
    expect(() => loadInventory(write({ 'hosts.ini': 'db1\n', 'host_vars/db1.yml': '$ANSIBLE_VAULT;1.1;AES256\n6162\n' }), quiet)).toThrow(
      expect.objectContaining({ code: 'ERR_X_INVENTORY', message: expect.stringContaining('encrypted with Ansible Vault') }),
    );
  });

  it('names the ansible_* variables x ignores once, when the inventory is loaded', () => {
    const path = write({ 'hosts.ini': 'db1 ansible_password=secret ansible_python_interpreter=/usr/bin/python3 app_port=8080\ndb2 ansible_password=other\n' });
    const warnings: string[] = [];
    const load = inventoryLoader(path, scratch, (message) => warnings.push(message));
    load();
    load();
    expect(warnings).toEqual([`${path} sets ansible_password, ansible_python_interpreter, which x ignores (x --help lists the variables it reads).`]);
  });
});

describe('inventory hosts as targets', () => {
  it('ends a become host’s chain with sudo or su, unless the target names its own step, and starts a local host here', () => {
    const path = write({ 'hosts.ini': 'db1 ansible_become=true ansible_become_user=postgres\nme ansible_connection=local ansible_become=true\nlocalhost ansible_connection=local\n' });
    const inventory = () => loadInventory(path, quiet);
    expect(parseTargets('db1', inventory)[0]!.hops).toEqual([
      { method: 'ssh', alias: 'db1', hostname: 'db1' },
      { method: 'sudo', username: 'postgres' },
    ]);
    expect(parseTargets('db1/su:root', inventory)[0]!.hops.map((hop) => hop.method)).toEqual(['ssh', 'su']);
    expect(parseTargets('me', inventory)[0]!.hops).toEqual([{ method: 'sudo', username: 'root' }]);
    expect(parseTargets('localhost', inventory)[0]!.hops).toEqual([{ method: 'local', alias: 'localhost' }]);
    expect(() => parseTargets('db1/localhost', inventory)).toThrow(expect.objectContaining({ code: 'ERR_X_TARGET_SYNTAX', message: expect.stringContaining('can only start a chain') }));
  });

  it("takes become and connection in x's own format too", () => {
    const path = write({ 'x.inventory.json': JSON.stringify({ hosts: { db1: { become: 'su:postgres' }, here: { connection: 'local' } } }) });
    expect(parseTargets('db1,here', () => loadInventory(path))!.map((target) => target.hops.map((hop) => hop.method))).toEqual([['ssh', 'su'], ['local']]);
    expect(() => loadInventory(write({ 'x.inventory.json': '{"hosts": {"a": {"become": "doas"}}}' }))).toThrow(expect.objectContaining({ code: 'ERR_X_INVENTORY', message: expect.stringContaining('sudo, su, sudo:USER or su:USER') }));
  });

  it('records the groups a target came from, and the inventory knows every group a host is in', () => {
    const path = write({ 'hosts.ini': '[web]\nweb1\n[dc:children]\nweb\n' });
    const inventory = loadInventory(path, quiet);
    expect(parseTargets('@dc', () => inventory)).toEqual([{ name: 'web1', hops: [{ method: 'ssh', alias: 'web1', hostname: 'web1' }], groups: ['dc'] }]);
    expect(groupsOf(inventory, 'web1')).toEqual(['all', 'web', 'dc']);
  });
});

describe("x's own format in x inventory", () => {
  it('lists groups as Ansible would build them and each host\'s options under Ansible\'s names', () => {
    const inventory = loadInventory(
      write({
        'x.inventory.yaml':
          'defaults: { user: deploy }\nhosts:\n  web1: { port: 2222, sshArgs: [-o, "ServerAliveInterval 5"] }\n  db1: { become: sudo:postgres }\n  lone: {}\ngroups:\n  web: [web1, "root@web2"]\n  dc: ["@web", db1]\n',
      }),
    );
    expect(listInventory(inventory)).toEqual({
      _meta: {
        hostvars: {
          db1: { ansible_become: true, ansible_become_method: 'sudo', ansible_become_user: 'postgres', ansible_user: 'deploy' },
          lone: { ansible_user: 'deploy' },
          'root@web2': { ansible_user: 'deploy' },
          web1: { ansible_port: 2222, ansible_ssh_common_args: "-o 'ServerAliveInterval 5'", ansible_user: 'deploy' },
        },
      },
      all: { children: ['ungrouped', 'dc'] },
      dc: { hosts: ['db1'], children: ['web'] },
      ungrouped: { hosts: ['lone'] },
      web: { hosts: ['web1', 'root@web2'] },
    });
    expect(graphInventory(inventory, 'dc')).toEqual(['@dc:', '  |--@web:', '  |  |--web1', '  |  |--root@web2', '  |--db1']);
  });

  it("shows a host of x's own all group in ungrouped, as Ansible does, unless another group has it", () => {
    const inventory = loadInventory(write({ 'x.inventory.json': '{"groups": {"web": ["web1"], "all": ["@web", "db1", "web1"]}}' }));
    expect(graphInventory(inventory, 'all')).toEqual(['@all:', '  |--@ungrouped:', '  |  |--db1', '  |--@web:', '  |  |--web1']);
  });

  it('refuses to draw a group that includes itself or names a missing one', () => {
    const inventory = loadInventory(write({ 'x.inventory.json': '{"groups": {"a": ["@b"], "b": ["@a"], "c": ["@gone"]}}' }));
    expect(() => graphInventory(inventory, 'a')).toThrow(expect.objectContaining({ code: 'ERR_X_INVENTORY', message: expect.stringContaining('a -> b -> a') }));
    expect(() => listInventory(inventory)).toThrow(expect.objectContaining({ code: 'ERR_X_INVENTORY', message: expect.stringContaining("no group 'gone'") }));
  });
});
