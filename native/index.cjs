'use strict';
// @x/native: the compiled addon, loaded once for this package directory.
module.exports = require('./loader.cjs').loadBinding(__dirname);

// Node finds the named exports of a CommonJS module by reading its source, not by running it. This line
// never runs; it names the addon's functions so that `import { pipe } from '@x/native'` works in an ES
// module (esbuild marks its CommonJS output the same way). Keep it equal to index.d.ts's exports.
0 && (module.exports = { socketpair, pipe, sendFds, recvFds, setCloexec, setNonblocking, shutdown, close, fdType, mmap, msync, madvise, openpty, setWindowSize, tcgetpgrp, tcsetpgrp, spawn, vspawn, daemonize, constants, waitpid, pidfdOpen, watchPid, watchFd, setDisposition, raiseDefault, captureDisposition, restoreDisposition, sigmask, installInterruptWord, uninstallInterruptWord, coarseClock, wakeCoarseClock, stopCoarseClock });
