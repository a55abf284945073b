// limitTargets(): --limit with Ansible's host patterns over the targets --on gave, by name, by the
// host a target reaches and by its groups; a pattern that selects nothing is a usage error.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { limitTargets } from '../src/x/host-pattern.js';
import { loadInventory } from '../src/x/inventory.js';
import { parseTargets } from '../src/x/targets.js';

const scratch = mkdtempSync(join(tmpdir(), 'x-limit-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const path = join(scratch, 'hosts.ini');
writeFileSync(path, '[web]\nweb[1:4]\n[db]\ndb1\ndb2\n[canary]\nweb1\ndb1\n[dc:children]\nweb\ndb\n');
const inventory = () => loadInventory(path, { warn: () => {} });

/** The names of the targets of `on` that `pattern` keeps. */
function limit(on: string, pattern: string): string[] {
  return limitTargets(parseTargets(on, inventory), pattern, inventory).map((target) => target.name);
}

describe('limitTargets()', () => {
  it('keeps every target for all and *', () => {
    expect(limit('@dc', 'all')).toEqual(['web1', 'web2', 'web3', 'web4', 'db1', 'db2']);
    expect(limit('@dc', '*')).toEqual(['web1', 'web2', 'web3', 'web4', 'db1', 'db2']);
  });

  it('selects by name, glob and group, in the order --on gave, for unions with , or :', () => {
    expect(limit('@dc', 'db2,web1')).toEqual(['web1', 'db2']);
    expect(limit('@dc', 'web[23]:db*')).toEqual(['web2', 'web3', 'db1', 'db2']);
    expect(limit('@all', 'canary')).toEqual(['web1', 'db1']);
    expect(limit('web1,web2,db1', 'web')).toEqual(['web1', 'web2']);
  });

  it('excludes with ! and intersects with &, whatever their place in the pattern', () => {
    expect(limit('@dc', '!canary:web')).toEqual(['web2', 'web3', 'web4']);
    expect(limit('@dc', 'web,&canary')).toEqual(['web1']);
    expect(limit('@dc', '!db*')).toEqual(['web1', 'web2', 'web3', 'web4']);
  });

  it('matches ~regex from the start of a name or group', () => {
    expect(limit('@dc', '~web[12]')).toEqual(['web1', 'web2']);
    expect(limit('@dc', '~(can|db)')).toEqual(['web1', 'db1', 'db2']);
  });

  it('matches a target by the host it reaches and keeps a whole target name with colons', () => {
    expect(limit('deploy@web1:2222,web2/sudo:root,local*2', 'web2')).toEqual(['web2/sudo:root']);
    expect(limit('deploy@web1:2222,web2', 'deploy@web1:2222')).toEqual(['deploy@web1:2222']);
    expect(limit('deploy@web1:2222,web2/sudo:root,local*2', 'local')).toEqual(['local-1', 'local-2']);
  });

  it.each([
    ['web9', /--limit: 'web9' matches none of the 6 targets --on gave \(web1, web2, web3, web4, db1, db2\)/],
    ['web,&nothere', /'nothere' matches none/],
    ['web:!web*', /--limit 'web:!web\*' leaves none of the 6 targets/],
    ['~web(', /'~web\(' is not a regular expression/],
    [',', /has no host pattern/],
  ])('refuses %s with ERR_X_HOST_PATTERN (a usage error)', (pattern, message) => {
    expect(() => limit('@dc', pattern)).toThrow(expect.objectContaining({ code: 'ERR_X_HOST_PATTERN', name: 'HostPatternError', message: expect.stringMatching(message) }));
  });
});
