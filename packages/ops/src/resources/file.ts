import { type Facts, facts } from '../facts.js';
import { InvalidArgumentError, UnsafePathError } from '../errors.js';
import { perform, type ResourceResult } from '../run.js';
import { idsOf } from '../support/accounts.js';
import { absolutePath, optionalBoolean, optionalMode, optionalOwner, optionsOf, type Owner } from '../support/args.js';
import { writeAtomic } from '../support/atomic-write.js';
import { diffOf } from '../support/edit.js';
import { described, ensureMeta, kindOf, lstatOf, metaActions, readRegular } from '../support/paths.js';

/** What `file` makes of a path. */
export interface FileOptions {
  /** The file's bytes: text (written as UTF-8), a Buffer, or a function of the host's facts giving either. */
  content: string | Buffer | ((facts: Facts) => string | Buffer | Promise<string | Buffer>);
  /** Permission bits (default: a replaced file's, else 0o666 less the umask). */
  mode?: number;
  /** Owner and group, by name or id (default: a replaced file's, else the running user's). */
  owner?: Owner;
  group?: Owner;
  /** Before replacing different content, keep the old file as `PATH.YYYYMMDDTHHMMSS~` (its path in `backup`). */
  backup?: boolean;
}

export interface FileResult extends ResourceResult {
  /** Where the old content was kept, when `backup` kept it. */
  backup?: string;
}

/** Text for a diff; binary content shows as its size. */
function shownText(data: Buffer | undefined): string | undefined {
  if (data === undefined) return undefined;
  return data.includes(0) ? `(binary, ${data.length} bytes)\n` : data.toString('utf8');
}

function stamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, '');
}

/**
 * A regular file at `path` with exactly `content`, mode and owner. Written atomically (a temporary beside
 * it, renamed over it); a symlink at `path` is replaced by the file, never written through; a directory
 * or special file there is refused.
 *
 * @example
 * import { file } from '@x/ops';
 * const conf = await file('/srv/app/config.json', { content: JSON.stringify({ port: 8080 }), mode: 0o640, owner: 'app' });
 * if (conf.changed) console.log(conf.actions); // ['created'] the first time, [] after
 * @throws ERR_X_INVALID_ARG, ERR_X_OPS_NO_SUCH_USER / _GROUP, ERR_X_OPS_UNSAFE_PATH (a directory or special file there)
 */
export function file(path: string, options: FileOptions): Promise<FileResult> {
  return perform('file', String(path), async ({ check, diff }) => {
    absolutePath('path', path);
    const o = optionsOf(options);
    const given = o.content;
    if (typeof given !== 'string' && !Buffer.isBuffer(given) && typeof given !== 'function') {
      throw new InvalidArgumentError('options.content', 'a string, a Buffer or a function of the facts', given);
    }
    const mode = optionalMode('options.mode', o.mode);
    const owner = optionalOwner('options.owner', o.owner);
    const group = optionalOwner('options.group', o.group);
    const backup = optionalBoolean('options.backup', o.backup) === true;
    const produced = typeof given === 'function' ? await given(await facts()) : given;
    if (typeof produced !== 'string' && !Buffer.isBuffer(produced)) throw new InvalidArgumentError('options.content()', 'a function giving a string or a Buffer', produced);
    const content = Buffer.isBuffer(produced) ? produced : Buffer.from(produced, 'utf8');
    const { uid, gid } = await idsOf(owner, group);
    const want = { mode, uid, gid, ownerName: owner, groupName: group };

    const stat = await lstatOf(path);
    const kind = stat === undefined ? undefined : kindOf(stat);
    if (stat !== undefined && kind !== 'file' && kind !== 'symlink') throw new UnsafePathError(path, `it is ${described(stat)}; remove it first with absent()`);
    const before = kind === 'file' ? await readRegular(path) : undefined;
    if (kind === 'file' && before!.equals(content)) {
      const actions = await ensureMeta(path, 'file', stat!, want, check);
      return { changed: actions.length > 0, actions };
    }
    const actions = kind === undefined ? ['created'] : kind === 'symlink' ? ['replaced symlink'] : ['content', ...metaActions(stat!, want)];
    const result: FileResult = { changed: true, actions };
    if (!check) {
      const kept = kind === 'file' ? stat! : undefined;
      if (backup && kept !== undefined) {
        result.backup = `${path}.${stamp()}~`;
        await writeAtomic(result.backup, before!, { mode: kept.mode & 0o7777, uid: kept.uid, gid: kept.gid });
      }
      await writeAtomic(path, content, {
        mode: mode ?? (kept === undefined ? 0o666 & ~process.umask() : kept.mode & 0o7777),
        uid: uid ?? kept?.uid,
        gid: gid ?? kept?.gid,
      });
    }
    if (diff) result.diff = diffOf(path, shownText(before), shownText(content));
    return result;
  });
}
