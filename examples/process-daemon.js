// A supervised daemon: started in a session of its own, its stderr read until it says it is ready,
// watched with ProcessMonitor (it is not our child: a pidfd tells us when it ends), restarted when
// it crashes, and stopped at the end.
import { control, daemon, Invocation, ProcessMonitor } from '@x/process';

const program = new Invocation('sh', ['-c', 'echo "ready as $$" >&2; exec sleep 600']);

/** Starts the daemon and waits until it says it is ready. */
async function start() {
  const { pid, stderr } = daemon(program);
  let said = '';
  for await (const chunk of stderr) {
    said += chunk;
    if (said.includes('\n')) break; // leaving the loop closes our end of its stderr
  }
  console.log(`started daemon ${pid} in a session of its own; it said on stderr: "${said.trim()}"`);
  return pid;
}

/** Keeps the daemon running until stop(); `onStart` hears of each start. */
function supervise(onStart) {
  const monitor = new ProcessMonitor();
  let current = 0;
  let stopping = false;
  let resolveStopped;
  const stopped = new Promise((resolve) => (resolveStopped = resolve));
  const run = async () => {
    current = await start();
    monitor.add(current, (status) => {
      const known = status === null ? 'no exit status, since it is not our child' : `status ${JSON.stringify(status)}`;
      console.log(`ProcessMonitor: daemon ${current} ended (${known}); ${stopping ? 'we asked it to stop' : 'unexpected: restarting it'}`);
      if (stopping) {
        monitor.close();
        resolveStopped();
      } else void run();
    });
    onStart(current);
  };
  void run();
  return {
    stop() {
      stopping = true;
      process.kill(current, 'SIGTERM');
      return stopped;
    },
  };
}

control(async () => {
  const starts = [];
  let started;
  const supervisor = supervise((pid) => {
    starts.push(pid);
    started?.();
  });
  const nextStart = () => new Promise((resolve) => (started = resolve));
  await nextStart();
  const restarted = nextStart();
  process.kill(starts[0], 'SIGKILL'); // a crash: the supervisor starts it again
  await restarted;
  await supervisor.stop();
  console.log(`the daemon was started ${starts.length} times (once more after the SIGKILL crash), then stopped with SIGTERM`);
  return starts.length === 2 ? 0 : 1;
});
