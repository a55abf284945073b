// What a site branches on, read from the host once per apply() (once per process outside one).
import * as fs from 'node:fs';
import * as os from 'node:os';
import { delimiter, join } from 'node:path';
import { currentRun } from './run.js';

/** What `facts()` reports of the host it runs on. */
export interface Facts {
  /** os-release's ID (`'debian'`, `'ubuntu'`, `'alpine'`...), or `process.platform` without one. */
  osId: string;
  /** os-release's VERSION_ID (`'12'`), `''` when it has none (Debian testing). */
  osVersion: string;
  /** os-release's ID_LIKE, split: `['debian']` on Ubuntu. */
  osLike: string[];
  /** os-release's PRETTY_NAME, or `os.type()`. */
  osName: string;
  /** The kernel's release (`uname -r`). */
  kernel: string;
  /** Node's name for the CPU (`'x64'`, `'arm64'`) and the kernel's (`'x86_64'`, `'aarch64'`). */
  arch: string;
  machine: string;
  hostname: string;
  /** `'systemd'` when systemd runs as init (/run/systemd/system exists), else the name of process 1, or `'unknown'`. */
  init: string;
  /** The first found of apt, dnf, yum, apk, pacman, zypper; `'none'` when none is. */
  packageManager: string;
  /** The user the site runs as, and its ids. */
  user: string;
  uid: number;
  gid: number;
  cpus: number;
  /** Total memory in bytes. */
  memory: number;
  /** The Node version running the site, e.g. `'v20.19.0'`. */
  node: string;
}

const managers: Array<[name: string, program: string]> = [
  ['apt', 'apt-get'],
  ['dnf', 'dnf'],
  ['yum', 'yum'],
  ['apk', 'apk'],
  ['pacman', 'pacman'],
  ['zypper', 'zypper'],
];

function onPath(program: string): boolean {
  const dirs = (process.env.PATH ?? '').split(delimiter).concat(['/usr/sbin', '/usr/bin', '/sbin', '/bin']);
  return dirs.some((dir) => {
    try {
      fs.accessSync(join(dir, program), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function osRelease(): Record<string, string> {
  for (const file of ['/etc/os-release', '/usr/lib/os-release']) {
    try {
      const fields: Record<string, string> = {};
      for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
        const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
        if (match) fields[match[1]!] = match[2]!.replace(/^(["'])(.*)\1$/, '$2');
      }
      return fields;
    } catch {
      // Try the next.
    }
  }
  return {};
}

function initSystem(): string {
  if (fs.existsSync('/run/systemd/system')) return 'systemd';
  try {
    return fs.readFileSync('/proc/1/comm', 'utf8').trim() || 'unknown';
  } catch {
    return 'unknown';
  }
}

function gather(): Facts {
  const release = osRelease();
  const me = os.userInfo();
  return {
    osId: release.ID ?? process.platform,
    osVersion: release.VERSION_ID ?? '',
    osLike: (release.ID_LIKE ?? '').split(/\s+/).filter(Boolean),
    osName: release.PRETTY_NAME ?? os.type(),
    kernel: os.release(),
    arch: process.arch,
    machine: os.machine(),
    hostname: os.hostname(),
    init: initSystem(),
    packageManager: managers.find(([, program]) => onPath(program))?.[0] ?? 'none',
    user: me.username,
    uid: me.uid,
    gid: me.gid,
    cpus: os.availableParallelism(),
    memory: os.totalmem(),
    node: process.version,
  };
}

let processFacts: Promise<Facts> | undefined;

/**
 * The host's facts: gathered once per `apply()` (a resource that needs them shares the site's), once per
 * process outside one.
 *
 * @example
 * import { facts } from '@x/ops';
 * const f = await facts();
 * console.log(f.osId, f.osVersion, f.packageManager, f.init);
 */
export function facts(): Promise<Facts> {
  const run = currentRun();
  if (run !== undefined) return (run.facts ??= Promise.resolve().then(gather));
  return (processFacts ??= Promise.resolve().then(gather));
}
