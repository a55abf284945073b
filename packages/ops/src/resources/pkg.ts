import { facts } from '../facts.js';
import { InvalidArgumentError, PackageManagerError } from '../errors.js';
import { perform, type ResourceResult } from '../run.js';
import { absolutePath, oneOf, optionsOf } from '../support/args.js';
import { mustRun, run } from '../support/exec.js';

/** What `pkg` ensures of packages. */
export interface PkgOptions {
  /** `'present'` (default), `'absent'` (apt-get remove), or `'latest'` (the candidate apt-cache policy shows). */
  state?: 'present' | 'absent' | 'latest';
  /** A local .deb file that provides the (one) package: installed when that version is not, no download. */
  deb?: string;
}

export interface PkgResult extends ResourceResult {
  /** The packages installed or upgraded (under check mode: that would be). */
  installed: string[];
  /** The packages removed (under check mode: that would be). */
  removed: string[];
}

const packageName = /^[a-z0-9][a-z0-9+.-]+(:[a-z0-9]+)?$/;
const apt = { DEBIAN_FRONTEND: 'noninteractive' };
// Wait for another apt or dpkg run to finish (up to 5 minutes) instead of failing on its lock.
const lockWait = ['-o', 'DPkg::Lock::Timeout=300'];

/** Installed versions of `names`, as dpkg-query knows them (absent: not installed). */
async function installedVersions(names: string[]): Promise<Map<string, string>> {
  // dpkg-query exits 1 when a name is unknown, and still lists the others.
  const listed = await run(['dpkg-query', '--show', '--showformat=${Package}\t${db:Status-Abbrev}\t${Version}\n', ...names]);
  const versions = new Map<string, string>();
  for (const row of listed.stdout.split('\n')) {
    const [name, status, version] = row.split('\t');
    if (name !== undefined && status?.startsWith('ii') && version !== undefined) versions.set(name, version);
  }
  return versions;
}

/** The version apt would install of each name (apt-cache policy's Candidate). */
async function candidates(names: string[]): Promise<Map<string, string>> {
  const policy = await mustRun(['apt-cache', 'policy', ...names], { env: apt });
  const found = new Map<string, string>();
  let current: string | undefined;
  for (const row of policy.stdout.split('\n')) {
    const header = /^(\S+):$/.exec(row);
    if (header) current = header[1];
    const candidate = /^\s+Candidate:\s*(\S+)/.exec(row);
    if (candidate && current !== undefined && candidate[1] !== '(none)') found.set(current, candidate[1]!);
  }
  return found;
}

function namesOf(value: unknown): string[] {
  const names = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(names) || names.length === 0 || !names.every((n) => typeof n === 'string' && packageName.test(n))) {
    throw new InvalidArgumentError('name', 'a package name or a non-empty array of them', value);
  }
  return names;
}

/**
 * Packages installed, upgraded or removed through apt (apt-get, dpkg-query), without prompts. On a
 * host whose package manager is another, ERR_X_OPS_PKG_MANAGER names it.
 *
 * @example
 * import { pkg } from '@x/ops';
 * await pkg(['nginx', 'curl']);
 * await pkg('app', { deb: '/tmp/app_1.0_all.deb' });
 * @throws ERR_X_INVALID_ARG, ERR_X_OPS_PKG_MANAGER, ERR_X_OPS_COMMAND_FAILED (apt-get's status and output)
 */
export function pkg(name: string | string[], options?: PkgOptions): Promise<PkgResult> {
  return perform('pkg', Array.isArray(name) ? name.join(' ') : String(name), async ({ check }) => {
    const names = namesOf(name);
    const o = optionsOf(options);
    const state = oneOf('options.state', o.state, ['present', 'absent', 'latest'], 'present');
    const deb = o.deb === undefined ? undefined : absolutePath('options.deb', o.deb);
    if (deb !== undefined && (names.length !== 1 || state === 'absent')) throw new InvalidArgumentError('options.deb', "used with one package name and state 'present' or 'latest'", deb);
    const manager = (await facts()).packageManager;
    if (manager !== 'apt') throw new PackageManagerError(manager);
    const installed = await installedVersions(names);
    const none: PkgResult = { changed: false, actions: [], installed: [], removed: [] };
    if (state === 'absent') {
      const removed = names.filter((n) => installed.has(n));
      if (removed.length === 0) return none;
      if (!check) await mustRun(['apt-get', 'remove', '--yes', ...lockWait, ...removed], { env: apt });
      return { changed: true, actions: [`removed ${removed.join(' ')}`], installed: [], removed };
    }
    let wanted: string[];
    if (deb !== undefined) {
      const fields = (await mustRun(['dpkg-deb', '--field', deb, 'Package', 'Version'])).stdout;
      const debName = /^Package:\s*(\S+)/m.exec(fields)?.[1];
      const debVersion = /^Version:\s*(\S+)/m.exec(fields)?.[1];
      if (debName !== names[0]) throw new InvalidArgumentError('options.deb', `a .deb of the package '${names[0]}'`, `${deb} (package ${debName ?? 'unknown'})`);
      wanted = installed.get(debName!) === debVersion ? [] : names;
    } else if (state === 'latest') {
      const latest = await candidates(names);
      wanted = names.filter((n) => !installed.has(n) || (latest.has(n) && latest.get(n) !== installed.get(n)));
    } else {
      wanted = names.filter((n) => !installed.has(n));
    }
    if (wanted.length === 0) return none;
    if (!check) {
      await mustRun(['apt-get', 'install', '--yes', ...lockWait, '-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold', ...(deb === undefined ? wanted : [deb])], { env: apt });
    }
    return { changed: true, actions: [`installed ${deb ?? wanted.join(' ')}`], installed: wanted, removed: [] };
  });
}
