// Host options from ~/.ssh/config (and /etc/ssh/ssh_config) exactly as ssh reads them: `ssh -G host`
// prints the effective configuration after every Host and Match block, so x never parses the files
// itself and never disagrees with ssh about them.
import { execFile } from 'node:child_process';

/** What `ssh -G` says ssh would use for a host. */
export interface SshEffective {
  hostname: string;
  user: string;
  port: number;
}

/**
 * Asks this machine's ssh for the effective options of `alias`; `username` and `port` are passed as
 * `-l`/`-p` so that explicit values win, as they do on ssh's own command line; `sshArgs` (the
 * inventory's, such as `-F file`) come first, as @x/remote passes them to the real connection.
 *
 * @returns the options, or `undefined` when there is no `ssh` here (the connection then says so).
 */
export function sshEffective(alias: string, username?: string, port?: number, sshArgs: string[] = []): Promise<SshEffective | undefined> {
  const args = ['-G', ...sshArgs];
  if (username !== undefined) args.push('-l', username);
  if (port !== undefined) args.push('-p', String(port));
  args.push('--', alias);
  return new Promise((resolve, reject) => {
    execFile('ssh', args, { timeout: 10_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') return resolve(undefined);
      if (error) return reject(new Error(`ssh -G ${alias} failed: ${stderr.trim() || error.message}`, { cause: error }));
      const options = new Map<string, string>();
      for (const line of stdout.split('\n')) {
        const space = line.indexOf(' ');
        if (space > 0 && !options.has(line.slice(0, space))) options.set(line.slice(0, space), line.slice(space + 1));
      }
      resolve({ hostname: options.get('hostname') ?? alias, user: options.get('user') ?? '', port: Number(options.get('port') ?? 22) });
    });
  });
}
