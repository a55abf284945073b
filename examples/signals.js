// A server-like child with cleanup; the parent sends it SIGHUP, then SIGTERM, and reports what it saw.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { onExit, onSignal } from '@x/signals';

if (process.argv[2] === 'child') {
  onExit(async (reason) => {
    await new Promise((resolve) => setTimeout(resolve, 100)); // flush, close, say goodbye
    console.log(`child: its onExit cleanup ran, told the reason ${JSON.stringify(reason)}`);
  }, { deadlineMs: 2000 });
  onSignal('terminal/closed', () => console.log('child: got SIGHUP (terminal/closed); reloading configuration, still running'));
  setInterval(() => {}, 1000);
  console.log('child: serving, with a SIGHUP handler and an onExit cleanup installed');
} else {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'child'], { stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout.setEncoding('utf8').on('data', (text) => {
    process.stdout.write(text);
    if (text.includes('serving')) child.kill('SIGHUP');
    if (text.includes('reloading')) child.kill('SIGTERM');
  });
  child.on('exit', (code, signal) => {
    console.log(`parent: after its cleanup the child died by ${signal ?? `exit ${code}`} (exit code ${code}), so a supervisor sees the signal`);
    process.exitCode = signal === 'SIGTERM' ? 0 : 1;
  });
}
