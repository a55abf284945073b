'use strict';
// Calls every function of @x/native, on success and failure paths, then the fuzz sweep
// (test/fixtures/fuzz.cjs), so that memcheck (scripts/valgrind.cjs) sees each allocation and
// free of the addon. Run with --expose-gc.
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const native = require('@x/native');

const ROUNDS = Number(process.env.X_VALGRIND_ROUNDS || 3);
const { SIGUSR2, SIGWINCH, SIGKILL } = os.constants.signals;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'x-native-valgrind-'));
const file = path.join(dir, 'data.bin');
fs.writeFileSync(file, Buffer.alloc(3 * 4096 + 17, 7));

// Valgrind 3.19 (Debian 12) does not know pidfd_open (syscall 434) and fails it with ENOSYS:
// watchPid's success path is then left to the vitest suite, and its ENOSYS path is exercised.
const pidfdWorks = (() => {
  try {
    native.close(native.pidfdOpen(process.pid));
    return true;
  } catch (error) {
    if (error.code !== 'ENOSYS') throw error;
    process.stdout.write('pidfd_open is not available under this valgrind: watchPid is exercised on its ENOSYS path\n');
    return false;
  }
})();

function throwsCode(fn, code) {
  assert.throws(fn, (error) => error.code === code);
}

function fdRound() {
  for (const type of ['stream', 'dgram', 'seqpacket']) {
    const [left, right] = native.socketpair(type);
    const [readEnd, writeEnd] = native.pipe();
    assert.strictEqual(native.sendFds(left, [readEnd, writeEnd], Buffer.from('payload')), 7);
    const received = native.recvFds(right, 1, 64);
    for (const fd of received.fds) native.close(fd);
    native.sendFds(left, [], 'text');
    native.recvFds(right, 0);
    native.setNonblocking(right);
    assert.strictEqual(native.recvFds(right, 4), null);
    native.setCloexec(readEnd, false);
    native.setCloexec(readEnd, true);
    assert.strictEqual(native.fdType(readEnd), 'pipe');
    if (type !== 'dgram') native.shutdown(left, 'rw');
    throwsCode(() => native.shutdown(readEnd, 'w'), 'ENOTSOCK');
    native.close(right);
    if (type === 'stream') throwsCode(() => native.sendFds(left, [], 'x'), 'EPIPE');
    for (const fd of [left, readEnd, writeEnd]) native.close(fd);
    throwsCode(() => native.close(readEnd), 'EBADF');
    throwsCode(() => native.fdType(readEnd), 'EBADF');
    throwsCode(() => native.recvFds(readEnd, 1), 'EBADF');
  }
  throwsCode(() => native.sendFds(0, ['x']), 'ERR_X_INVALID_ARG');
  throwsCode(() => native.socketpair('raw'), 'ERR_X_INVALID_ARG');
}

function mmapRound() {
  const fd = fs.openSync(file, 'r+');
  const views = [native.mmap(fd, 0, 4096, 'r'), native.mmap(fd, 4097, 5000, 'rw', true), native.mmap(fd, 0, 10, 'rw', false), native.mmap(-1, 0, 65536, 'rw')];
  new Uint8Array(views[1]).fill(1);
  native.msync(views[1]);
  native.msync(views[1], true);
  native.madvise(views[3], 'dontneed');
  throwsCode(() => native.mmap(fd, 0, 1 << 20, 'r'), 'EINVAL');
  throwsCode(() => native.mmap(fd, 0, -1, 'r'), 'ERR_X_INVALID_ARG');
  throwsCode(() => native.msync(new ArrayBuffer(8)), 'ERR_X_INVALID_ARG');
  fs.closeSync(fd);
  throwsCode(() => native.mmap(fd, 0, 10, 'r'), 'EBADF');
}

function ptyRound() {
  const { master, slave, name } = native.openpty({ cols: 90, rows: 20 });
  assert.match(name, /^\/dev\/pts\//);
  native.setWindowSize(master, 100, 30);
  native.tcgetpgrp(master);
  throwsCode(() => native.tcsetpgrp(master, process.pid), 'ENOTTY');
  native.close(slave);
  native.close(master);
  throwsCode(() => native.openpty({ cols: 0 }), 'ERR_X_INVALID_ARG');
}

function processRound() {
  const pid = native.spawn('/bin/sh', ['sh', '-c', 'exit 4'], { A: 'b' }, { fdmap: [null, null, 2], cwd: '/', pgid: 0 });
  assert.strictEqual(native.waitpid(pid).code, 4);
  throwsCode(() => native.waitpid(pid), 'ECHILD');
  throwsCode(() => native.spawn('/nonexistent', ['x']), 'ENOENT');
  throwsCode(() => native.spawn('/bin/true', ['true'], undefined, { cwd: '/nonexistent' }), 'ENOENT');
  throwsCode(() => native.spawn('/bin/true', []), 'ERR_X_INVALID_ARG');
  const vpid = native.vspawn('/bin/sh', ['sh', '-c', 'exit 5'], { A: 'b' }, { fdmap: [null, null, 2], cwd: '/', pgid: 0 });
  assert.strictEqual(native.waitpid(vpid).code, 5);
  throwsCode(() => native.vspawn('/nonexistent', ['x']), 'ENOENT');
  throwsCode(() => native.vspawn('/bin/true', ['true'], undefined, { cwd: '/nonexistent' }), 'ENOENT');
  native.daemonize('/bin/true', ['true']);
  throwsCode(() => native.daemonize('/nonexistent', ['x']), 'ENOENT');
  if (pidfdWorks) native.close(native.pidfdOpen(process.pid));
  else throwsCode(() => native.pidfdOpen(process.pid), 'ENOSYS');
}

function signalRound() {
  const previous = native.sigmask('block', [SIGWINCH]);
  native.sigmask('set', previous);
  native.captureDisposition(SIGWINCH);
  native.setDisposition(SIGWINCH, 'ignore');
  native.restoreDisposition(SIGWINCH);
  throwsCode(() => native.setDisposition(SIGKILL, 'ignore'), 'EINVAL');
  throwsCode(() => native.installInterruptWord(new ArrayBuffer(8), [SIGUSR2]), 'ERR_X_INVALID_ARG');
}

async function asyncRound() {
  const [readEnd, writeEnd] = native.pipe();
  await new Promise((resolve) => {
    const stop = native.watchFd(readEnd, 'r', (error, events) => {
      stop();
      resolve(events);
    });
    fs.writeSync(writeEnd, 'x');
  });
  const unstopped = native.watchFd(writeEnd, 'w', () => {});
  unstopped();
  native.close(readEnd);
  native.close(writeEnd);

  const child = native.spawn('/bin/sh', ['sh', '-c', 'exit 2']);
  if (pidfdWorks) {
    const status = await new Promise((resolve) => native.watchPid(child, resolve));
    assert.strictEqual(status.code, 2);
  } else {
    throwsCode(() => native.watchPid(child, () => {}), 'ENOSYS'); // the error path frees the watch
    native.waitpid(child);
  }
  const sleeper = native.spawn('/bin/sleep', ['sleep', '30']);
  if (pidfdWorks) native.watchPid(sleeper, () => assert.fail('stopped watch called back'))();
  process.kill(sleeper, 'SIGKILL');
  native.waitpid(sleeper);

  let heard = 0;
  const listener = () => heard++;
  process.on('SIGUSR2', listener);
  const word = new Int32Array(new SharedArrayBuffer(8));
  native.installInterruptWord(word.buffer, [SIGUSR2]);
  native.installInterruptWord(new SharedArrayBuffer(16), [SIGUSR2]);
  native.installInterruptWord(word.buffer, [SIGUSR2]);
  process.kill(process.pid, 'SIGUSR2');
  while (heard === 0) await new Promise((resolve) => setImmediate(resolve));
  assert.strictEqual(word[0], 1);
  native.uninstallInterruptWord([SIGUSR2]);
  process.off('SIGUSR2', listener);
}

async function clockRound() {
  const buffer = new SharedArrayBuffer(16);
  const time = new Float64Array(buffer, 0, 1);
  const flags = new Int32Array(buffer, 8, 2);
  const start = native.coarseClock(buffer);
  Atomics.store(flags, 0, 1);
  while (time[0] < start + 2) await new Promise((resolve) => setTimeout(resolve, 1));
  Atomics.store(flags, 0, 0);
  while (Atomics.load(flags, 1) === 1) await new Promise((resolve) => setTimeout(resolve, 5)); // the thread ends
  assert.ok(native.wakeCoarseClock() >= start + 2);
  throwsCode(() => native.coarseClock(new ArrayBuffer(16)), 'ERR_X_INVALID_ARG');
  native.stopCoarseClock();
}

(async () => {
  for (let round = 0; round < ROUNDS; round++) {
    fdRound();
    mmapRound();
    ptyRound();
    processRound();
    signalRound();
    await asyncRound();
    await clockRound();
    global.gc();
  }
  // Wrong values for every exported function: the paths that reject them, and the guard that turns
  // whatever the C++ throws into a coded error, under memcheck too.
  assert.deepStrictEqual(require('../fixtures/fuzz.cjs').fuzz(native).failures, []);
  global.gc();
  // A watch left running at exit is closed by the addon's cleanup hook, and so is a clock word.
  native.coarseClock(new SharedArrayBuffer(16));
  const [readEnd, writeEnd] = native.pipe();
  native.watchFd(readEnd, 'r', () => {});
  fs.rmSync(dir, { recursive: true, force: true });
  await new Promise((resolve) => setImmediate(resolve));
  global.gc();
  process.stdout.write(`exercised @x/native ${ROUNDS} times\n`);
  native.close(writeEnd);
  process.exitCode = 0;
  // The read end stays watched: its handle keeps the loop alive, so end explicitly.
  setImmediate(() => process.exit(0));
})();
