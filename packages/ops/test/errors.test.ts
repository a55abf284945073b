import { describe, expect, it } from 'vitest';
import { CommandFailedError, InvalidArgumentError, NoSuchGroupError, NoSuchUserError, NoSystemdError, PackageManagerError, UnsafePathError } from '../src/index.js';

describe('error classes', () => {
  it('say what to do, with a stable code', () => {
    expect(new PackageManagerError('dnf')).toMatchObject({ code: 'ERR_X_OPS_PKG_MANAGER', manager: 'dnf', message: expect.stringContaining("this host's package manager is dnf. Use command('dnf ...')") });
    expect(new PackageManagerError('none').message).toMatch(/found no package manager/);
    expect(new NoSystemdError('app', 'process_api')).toMatchObject({ code: 'ERR_X_OPS_NO_SYSTEMD', message: expect.stringContaining("this host's init is process_api") });
    expect(new NoSuchUserError('app').message).toBe("There is no user 'app' on this host. Create it first (user('app') before the resource that names it), or fix the name.");
    expect(new NoSuchGroupError('app').code).toBe('ERR_X_OPS_NO_SUCH_GROUP');
    expect(new UnsafePathError('/x', 'it is a directory').message).toBe("Refusing to manage '/x': it is a directory.");
    expect(new CommandFailedError('make', null, 'SIGKILL', '').message).toBe('`make` was killed by SIGKILL and printed nothing.');
    expect(new InvalidArgumentError('options.mode', 'permission bits', '644').message).toBe("Expected `options.mode` to be permission bits, got '644' (string).");
  });

  it('are recognised by instanceof across copies of the package, through their brand', () => {
    const foreign = Object.create({ [Symbol.for('@x/ops.CommandFailedError')]: true }) as object;
    expect(foreign).toBeInstanceOf(CommandFailedError);
    expect(new NoSuchUserError('a')).not.toBeInstanceOf(CommandFailedError);
    expect(new NoSuchUserError('a').name).toBe('NoSuchUserError');
  });
});
