# mitogen (Debian's python3-mitogen 0.3.3, or the newest from PYTHONPATH: see mitogen.ts) moving one
# file with mitogen.service.FileService, for files.bench.ts: one measurement per run.
# Usage: /usr/bin/python3 mitogen_files.py <direction> <source> <destination> [<port> <user> <key>]
#   push   the child fetches <source> from this process (its FileService, the path registered) into
#          <destination>: the way ansible_mitogen ships files to a target
#   fetch  this process fetches <source> from the child's FileService (started on first use, as parent
#          authority needs no registration) into <destination>
# The child is local(), or ssh to 127.0.0.1 when port, user and key are given. Either way the copy is
# written to a temporary beside <destination>, fsynced and renamed into place before the clock stops,
# as @x/remote's writes are (write_synced). Prints one JSON line {"figure": ms}: the
# transfer alone, the connection is made before the clock starts.
import json
import os
import sys
import time

import mitogen.core
import mitogen.master
import mitogen.service


def write_synced(destination, fill):
    """Writes `fill(out)` to a temporary beside `destination`, fsyncs and renames it; gives fill's result."""
    temporary = '%s.mitogen-%d.part' % (destination, os.getpid())
    with open(temporary, 'wb') as out:
        result = fill(out)
        out.flush()
        os.fsync(out.fileno())
    os.rename(temporary, destination)
    return result


def receive(parent, source, destination):
    """In the child: FileService.get from the parent into an fsynced, renamed file."""
    ok, metadata = write_synced(destination, lambda out: mitogen.service.FileService.get(parent, source, out))
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
            ok, metadata = write_synced(destination, lambda out: mitogen.service.FileService.get(context, source, out))
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
