// The benchmark's 9-task site with @x/ops: a directory, five files, two lines in a file, a command
// guarded by `creates`. site.yml is the same for Ansible; plain.ts the same written by hand.
import { command, directory, file, line } from '@x/ops';
import { siteFiles, siteLines, siteRoot } from './spec.js';

export default async function site(): Promise<void> {
  const root = siteRoot();
  await directory(`${root}/app`, { mode: 0o755 });
  for (const [name, content] of Object.entries(siteFiles)) await file(`${root}/app/${name}`, { content, mode: 0o644 });
  for (const { line: text, match } of siteLines) await line(`${root}/hosts`, { line: text, match });
  await command(['touch', `${root}/app/installed`], { creates: `${root}/app/installed` });
}
