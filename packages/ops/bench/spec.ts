// What the benchmark's 9-task site manages, shared by site.ts (@x/ops), plain.ts (the same work by hand)
// and apply.bench.ts (which checks the state each side leaves). site.yml says the same for Ansible.
//
// The ten targets are ten accounts on one loopback sshd, each sudo to root, so the machine is the same:
// each target's tree is named after the account that logged in (sudo's SUDO_USER; Ansible's
// ansible_user) so that they do not write over each other.

/** Where every target's tree lives (one directory per account). */
export const benchBase = '/tmp/x-ops-bench';

/** The five files the site writes under app/, with their content (all mode 0644). */
export const siteFiles: Record<string, string> = {
  'config.json': '{"port":8080}\n',
  'app.env': 'PORT=8080\nNODE_ENV=production\n',
  motd: 'Managed by the benchmark site.\n',
  version: '1.0.0\n',
  'limits.conf': 'app soft nofile 4096\n',
};

/** The hosts file the benchmark seeds before a first run, and the two lines the site keeps in it. */
export const hostsSeed = '127.0.0.1 localhost\n';
export const siteLines = [
  { line: '10.0.0.5 db', match: /\sdb$/ },
  { line: '10.0.0.6 cache', match: /\scache$/ },
];

/** The target's tree: the benchmark's base plus the account sudo came from. */
export function siteRoot(): string {
  const account = process.env['SUDO_USER'];
  if (account === undefined || !/^[a-z0-9-]+$/.test(account)) {
    throw new Error(`the benchmark site runs through sudo from one of its accounts; SUDO_USER is ${JSON.stringify(account)}`);
  }
  return `${benchBase}/${account}`;
}
