// @x/signals against signal-exit: the cost of registering and removing cleanup handlers.
import { compare } from '@x/bench';
import { onExit } from '@x/signals';
import { onExit as signalExitOnExit } from 'signal-exit';

const noop = () => {};

// With one handler kept registered on each side, the timed work is the handler list alone.
const keepOurs = onExit(noop);
const keepTheirs = signalExitOnExit(noop);
await compare({
  name: 'signals: add and remove a cleanup handler (listeners already installed)',
  ours: { fn: () => onExit(noop)() },
  peer: { name: 'signal-exit', fn: () => signalExitOnExit(noop)() },
});
keepOurs();
keepTheirs();

// With none kept, each iteration installs and removes the process listeners as well.
await compare({
  name: 'signals: first handler in, last handler out (installs and removes listeners)',
  ours: { fn: () => onExit(noop)() },
  peer: { name: 'signal-exit', fn: () => signalExitOnExit(noop)() },
});
