// A server-like child with cleanup; the parent sends it SIGHUP, then SIGTERM, and reports what it saw.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { onExit, onSignal } from '@x/signals';

if (process.argv[2] === 'child') {
  onExit(async (reason) => {
    await new Promise((resolve) => setTimeout(resolve, 100)); // flush, close, say goodbye
    console.log(`child: cleaned up because of ${JSON.stringify(reason)}`);
  }, { deadlineMs: 2000 });
  onSignal('terminal/closed', () => console.log('child: SIGHUP, reloading configuration'));
  setInterval(() => {}, 1000);
  console.log('child: serving');
} else {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'child'], { stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout.setEncoding('utf8').on('data', (text) => {
    process.stdout.write(text);
    if (text.includes('serving')) child.kill('SIGHUP');
    if (text.includes('reloading')) child.kill('SIGTERM');
  });
  child.on('exit', (code, signal) => {
    console.log(`parent: the child ended with code ${code}, signal ${signal}`);
    process.exitCode = signal === 'SIGTERM' ? 0 : 1;
  });
}
