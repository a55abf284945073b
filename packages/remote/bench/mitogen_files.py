# mitogen 0.3.3 (Debian's python3-mitogen) moving one file with mitogen.service.FileService, for
# files.bench.ts: one measurement per run.
# Usage: /usr/bin/python3 mitogen_files.py <direction> <source> <destination> [<port> <user> <key>]
#   push   the child fetches <source> from this process (its FileService, the path registered) into
#          <destination>: the way ansible_mitogen ships files to a target
#   fetch  this process fetches <source> from the child's FileService (started on first use, as parent
#          authority needs no registration) into <destination>
# The child is local(), or ssh to 127.0.0.1 when port, user and key are given. Either way the copy is
# fsynced before the clock stops, as @x/remote's writes are. Prints one JSON line {"figure": ms}: the
# transfer alone, the connection is made before the clock starts.
import json
import os
import sys
import time

import mitogen.core
import mitogen.master
import mitogen.service


def receive(parent, source, destination):
    """In the child: FileService.get from the parent, then fsync."""
    with open(destination, 'wb') as out:
        ok, metadata = mitogen.service.FileService.get(parent, source, out)
        out.flush()
        os.fsync(out.fileno())
    if not ok:
        raise RuntimeError('FileService.get of %r ended early' % (source,))
    return metadata['size']


@mitogen.core.takes_router
def start_pool(router):
    """In the child: the service pool a parent's CALL_SERVICE would otherwise start lazily."""
    mitogen.service.get_or_create_pool(router=router)


def main():
    direction, source, destination = sys.argv[1], sys.argv[2], sys.argv[3]
    broker = mitogen.master.Broker()
    router = mitogen.master.Router(broker)
    pool = None
    try:
        if len(sys.argv) > 4:
            port, user, key = int(sys.argv[4]), sys.argv[5], sys.argv[6]
            context = router.ssh(hostname='127.0.0.1', port=port, username=user, identity_file=key,
                                 check_host_keys='ignore', python_path='/usr/bin/python3', ssh_args=['-F', '/dev/null'])
        else:
            context = router.local(python_path='/usr/bin/python3')
        size = os.stat(source).st_size if direction == 'push' else None
        if direction == 'push':
            service = mitogen.service.FileService(router)
            pool = mitogen.service.Pool(router, services=[service], size=2)
            service.register(source)
            begin = time.perf_counter()
            got = context.call(receive, router.myself(), source, destination)
            figure = (time.perf_counter() - begin) * 1000
            if got != size:
                raise RuntimeError('pushed %d of %d bytes' % (got, size))
        elif direction == 'fetch':
            context.call(start_pool)
            begin = time.perf_counter()
            with open(destination, 'wb') as out:
                ok, metadata = mitogen.service.FileService.get(context, source, out)
                out.flush()
                os.fsync(out.fileno())
            figure = (time.perf_counter() - begin) * 1000
            if not ok:
                raise RuntimeError('fetch of %r ended early' % (source,))
        else:
            raise SystemExit('unknown direction ' + direction)
        print(json.dumps({'figure': figure}))
    finally:
        if pool is not None:
            pool.stop(join=True)
        broker.shutdown()
        broker.join()


# mitogen serves __main__ to contexts only behind this guard.
if __name__ == '__main__':
    main()
