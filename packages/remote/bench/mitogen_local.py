# mitogen (whichever /usr/bin/python3 imports: Debian's 0.3.3, or the newest with PYTHONPATH, see mitogen.ts) on this machine, for local.bench.ts: one measurement per run.
# Usage: /usr/bin/python3 mitogen_local.py <mode> <n>; prints one JSON line {"figure": ...}:
#   roundtrip  n calls of call(do_nothing) on a local() context (fork_roundtrip.py's case): ms per call
#   connect    local() connect + first call: ms
#   large      n round trips of an echo of a 64 MiB bytes argument: ms per round trip
#   concurrent n call_async(do_nothing) at once on one context, then every reply: ms for all
#   rss        resident memory of an idle local() context, from /proc: bytes
import json
import os
import sys
import time

import mitogen.master


def do_nothing():
    pass


def echo(value):
    return value


def rss():
    with open('/proc/self/status') as status:
        for line in status:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) * 1024
    raise RuntimeError('no VmRSS in /proc/self/status')


def main():
    mode, n = sys.argv[1], int(sys.argv[2])
    broker = mitogen.master.Broker()
    router = mitogen.master.Router(broker, max_message_size=256 * 1024 * 1024)
    try:
        start = time.perf_counter()
        context = router.local(python_path='/usr/bin/python3')
        context.call(do_nothing)
        connected = (time.perf_counter() - start) * 1000
        if mode == 'connect':
            figure = connected
        elif mode == 'roundtrip':
            begin = time.perf_counter()
            for _ in range(n):
                context.call(do_nothing)
            figure = (time.perf_counter() - begin) * 1000 / n
        elif mode == 'large':
            payload = os.urandom(int(sys.argv[3]) * 1024 * 1024 if len(sys.argv) > 3 else 64 * 1024 * 1024)
            context.call(echo, b'x')
            begin = time.perf_counter()
            for _ in range(n):
                assert len(context.call(echo, payload)) == len(payload)
            figure = (time.perf_counter() - begin) * 1000 / n
        elif mode == 'concurrent':
            begin = time.perf_counter()
            pending = [context.call_async(do_nothing) for _ in range(n)]
            for receiver in pending:
                receiver.get().unpickle()
            figure = (time.perf_counter() - begin) * 1000
        elif mode == 'rss':
            time.sleep(0.5)
            figure = context.call(rss)
        else:
            raise SystemExit('unknown mode ' + mode)
        print(json.dumps({'figure': figure}))
    finally:
        broker.shutdown()
        broker.join()


# mitogen serves __main__ to contexts only behind this guard.
if __name__ == '__main__':
    main()
