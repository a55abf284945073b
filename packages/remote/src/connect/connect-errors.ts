import { ConnectError } from '../errors.js';

/**
 * A password was needed but not given, was refused, or was asked for a second time (it is typed at
 * most once, so a wrong one never locks an account through retries). `stderrTail` holds what the
 * command printed.
 */
export class PasswordError extends ConnectError {
  constructor(message: string, stderrTail: string) {
    super('ERR_X_REMOTE_PASSWORD', message, stderrTail);
  }
}
Object.defineProperty(PasswordError.prototype, 'name', { value: 'PasswordError' });

/** ssh refused the host's key: unknown under `checkHostKeys: 'enforce'`, or changed (under enforce or accept). */
export class HostKeyError extends ConnectError {
  constructor(message: string, stderrTail: string) {
    super('ERR_X_REMOTE_HOST_KEY', message, stderrTail);
  }
}
Object.defineProperty(HostKeyError.prototype, 'name', { value: 'HostKeyError' });

/** The context was not up within `connectTimeoutMs` (login, prompts and bootstrap included). */
export class ConnectTimeoutError extends ConnectError {
  constructor(message: string, stderrTail: string) {
    super('ERR_X_REMOTE_CONNECT_TIMEOUT', message, stderrTail);
  }
}
Object.defineProperty(ConnectTimeoutError.prototype, 'name', { value: 'ConnectTimeoutError' });

/** The command (ssh, sudo, su, ...) ended, or closed its output, before the context was up. */
export class EofError extends ConnectError {
  constructor(message: string, stderrTail: string) {
    super('ERR_X_REMOTE_EOF', message, stderrTail);
  }
}
Object.defineProperty(EofError.prototype, 'name', { value: 'EofError' });

/** The target has no node at `nodePath`, or one older than contexts need; the message names both. */
export class NodeNotFoundError extends ConnectError {
  constructor(message: string, stderrTail: string) {
    super('ERR_X_REMOTE_NODE_NOT_FOUND', message, stderrTail);
  }
}
Object.defineProperty(NodeNotFoundError.prototype, 'name', { value: 'NodeNotFoundError' });
