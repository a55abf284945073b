import { facts } from '../facts.js';
import { InvalidArgumentError, NoSystemdError } from '../errors.js';
import { perform, type ResourceResult } from '../run.js';
import { absolutePath, oneOf, optionalBoolean, optionsOf } from '../support/args.js';
import { mustRun, run } from '../support/exec.js';

/** What `service` ensures of a systemd unit. */
export interface ServiceOptions {
  /** `started`/`stopped` when it is not; `restarted`/`reloaded` every time (changed). Needs a running systemd. */
  state?: 'started' | 'stopped' | 'restarted' | 'reloaded';
  /** Enabled at boot (systemctl enable) or not (disable). */
  enabled?: boolean;
  /** An image's root directory: enablement through `systemctl --root`, no running systemd needed (no `state`). */
  root?: string;
}

const unitName = /^[\w@.:\\-]+$/;
/** What `systemctl is-enabled` prints for a unit that needs no enabling. */
const alreadyEnabled = new Set(['enabled', 'enabled-runtime', 'alias', 'static', 'indirect', 'generated']);

async function enablement(name: string, root: string | undefined, enabled: boolean, check: boolean): Promise<string[]> {
  const systemctl = root === undefined ? ['systemctl'] : ['systemctl', `--root=${root}`];
  const state = (await run([...systemctl, 'is-enabled', name])).stdout.trim();
  if (enabled === alreadyEnabled.has(state)) return [];
  if (!check) await mustRun([...systemctl, enabled ? 'enable' : 'disable', name]);
  return [enabled ? 'enabled' : 'disabled'];
}

async function activity(name: string, state: NonNullable<ServiceOptions['state']>, check: boolean): Promise<string[]> {
  const { init } = await facts();
  if (init !== 'systemd') throw new NoSystemdError(name, init);
  const active = (await run(['systemctl', 'is-active', name])).stdout.trim() === 'active';
  const verb = state === 'started' ? (active ? undefined : 'start') : state === 'stopped' ? (active ? 'stop' : undefined) : state === 'restarted' ? 'restart' : 'reload';
  if (verb === undefined) return [];
  if (!check) await mustRun(['systemctl', verb, name]);
  return [state];
}

/**
 * A systemd service enabled or disabled, started, stopped, restarted or reloaded, through systemctl.
 * Enablement works without a running systemd when `root` names the tree to change.
 *
 * @example
 * import { service } from '@x/ops';
 * await service('nginx', { enabled: true, state: 'started' });
 * @throws ERR_X_INVALID_ARG, ERR_X_OPS_NO_SYSTEMD (a `state` where systemd is not running), ERR_X_OPS_COMMAND_FAILED
 */
export function service(name: string, options?: ServiceOptions): Promise<ResourceResult> {
  return perform('service', String(name), async ({ check }) => {
    if (typeof name !== 'string' || !unitName.test(name)) throw new InvalidArgumentError('name', 'a systemd unit name', name);
    const o = optionsOf(options);
    const state = o.state === undefined ? undefined : oneOf('options.state', o.state, ['started', 'stopped', 'restarted', 'reloaded'], 'started');
    const enabled = optionalBoolean('options.enabled', o.enabled);
    const root = o.root === undefined ? undefined : absolutePath('options.root', o.root);
    if (root !== undefined && state !== undefined) throw new InvalidArgumentError('options.state', 'undefined when `root` is given (nothing runs in an image)', state);
    if (state === undefined && enabled === undefined) throw new InvalidArgumentError('options', 'an object with `state`, `enabled` or both', options);
    const actions = enabled === undefined ? [] : await enablement(name, root, enabled, check);
    if (state !== undefined) actions.push(...(await activity(name, state, check)));
    return { changed: actions.length > 0, actions };
  });
}
