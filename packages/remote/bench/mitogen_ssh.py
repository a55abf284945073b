# mitogen (whichever /usr/bin/python3 imports, see mitogen.ts) over ssh to the benchmark's sshd, for ssh.bench.ts.
# Usage: /usr/bin/python3 mitogen_ssh.py <port> <user> <key> <calls> ; prints one JSON line of
# milliseconds: connect + first call, then the mean round trip of 200 calls and the time of `calls` calls.
import json
import sys
import time

import mitogen.master


def echo(value):
    return value


def main():
    port, user, key, calls = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
    broker = mitogen.master.Broker()
    router = mitogen.master.Router(broker)
    try:
        start = time.perf_counter()
        context = router.ssh(hostname='127.0.0.1', port=port, username=user, identity_file=key,
                             check_host_keys='ignore', python_path='/usr/bin/python3', ssh_args=['-F', '/dev/null'])
        context.call(echo, 1)
        connect = (time.perf_counter() - start) * 1000
        # The round trip as ssh.bench.ts times ours: the mean of 200 calls in a row, after 200 unmeasured.
        for _ in range(200):
            context.call(echo, 'x' * 64)
        begin = time.perf_counter()
        for _ in range(200):
            context.call(echo, 'x' * 64)
        round_trip = (time.perf_counter() - begin) * 1000 / 200
        begin = time.perf_counter()
        for index in range(calls):
            context.call(echo, index)
        many = (time.perf_counter() - begin) * 1000
        print(json.dumps({'connect': connect, 'roundTrip': round_trip, 'calls': many}))
    finally:
        broker.shutdown()
        broker.join()


# mitogen serves __main__ to contexts only behind this guard.
if __name__ == '__main__':
    main()
