import { ConnectError } from '../errors.js';

/**
 * A password was asked for and none was given, or the one given was refused or asked for a second time
 * (it is typed at most once, so a wrong one never locks an account through retries). `stderrTail` holds
 * what the command printed. A login refused without any prompt (no key accepted) is an AuthenticationError.
 */
export class PasswordError extends ConnectError {
  constructor(message: string, stderrTail: string) {
    super('ERR_X_REMOTE_PASSWORD', message, stderrTail);
  }
}
Object.defineProperty(PasswordError.prototype, 'name', { value: 'PasswordError' });

/** ssh refused the host's key ("Host key verification failed"): unknown and not accepted, or changed. */
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

/** Nothing listens where ssh connected ("Connection refused"): the host is up, its sshd is not, or the port is wrong. */
export class ConnectionRefusedError extends ConnectError {
  constructor(message: string, stderrTail: string) {
    super('ERR_X_REMOTE_CONNECTION_REFUSED', message, stderrTail);
  }
}
Object.defineProperty(ConnectionRefusedError.prototype, 'name', { value: 'ConnectionRefusedError' });

/**
 * The server dropped the connection before the login ("kex_exchange_identification: Connection reset by
 * peer" or "... closed by remote host"), as sshd does to connections past its MaxStartups. `transient`
 * is true: the same start usually succeeds when tried again a moment later.
 */
export class ConnectionResetError extends ConnectError {
  constructor(message: string, stderrTail: string) {
    super('ERR_X_REMOTE_CONNECTION_RESET', message, stderrTail);
  }
}
Object.defineProperty(ConnectionResetError.prototype, 'name', { value: 'ConnectionResetError' });

/** The server refused the login without asking for a password ("Permission denied (publickey)"): no key offered was accepted. */
export class AuthenticationError extends ConnectError {
  constructor(message: string, stderrTail: string) {
    super('ERR_X_REMOTE_AUTH', message, stderrTail);
  }
}
Object.defineProperty(AuthenticationError.prototype, 'name', { value: 'AuthenticationError' });
