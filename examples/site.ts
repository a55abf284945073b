// An @x/ops site for `x apply`: a small app's directory, its configuration, a line, a managed block and
// a guarded command, as a site for real servers has them, but under a directory any user may write:
//   pnpm -s x apply --on local examples/site.ts                  # apply it: each resource's line, a recap
//   pnpm -s x apply --on local --check --diff examples/site.ts   # what would change, as diffs; nothing does
// The whole function runs inside each target's context, in one call; a second apply changes nothing.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { block, command, directory, facts, file, line } from '@x/ops';

/** Where the example's files go: $X_SITE_DIR, else x-site-example in the target's temporary directory. */
const root = process.env['X_SITE_DIR'] ?? join(tmpdir(), 'x-site-example');

export default async function site(): Promise<void> {
  const host = await facts();
  await directory(root, { mode: 0o755 });
  await directory(`${root}/bin`, { mode: 0o755 });
  const config = await file(`${root}/config.json`, {
    content: `${JSON.stringify({ port: 8080, workers: host.cpus, node: host.node }, null, 2)}\n`,
    mode: 0o640,
  });
  await line(`${root}/hosts`, { line: '10.0.0.5 db', match: /\sdb$/, create: true });
  await block(`${root}/app.conf`, { content: 'listen 8080\nlog_level info', create: true });
  // A build step, guarded: it runs only while what it creates is missing.
  await command('cp /bin/true bin/app', { cwd: root, creates: 'bin/app' });
  // A handler is plain code: restart (here, note a restart) only when the configuration changed.
  if (config.changed) await command('date > restarted', { cwd: root });
}
