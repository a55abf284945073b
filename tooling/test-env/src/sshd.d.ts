/** Why sshd tests cannot run here (not root, no sshd or sudo binary), or undefined when they can. */
export declare function sshdUnavailableReason(): string | undefined;

/** The variable `.ci/run` sets: privileged tests that cannot run fail instead of skipping. */
export declare const REQUIRE_PRIVILEGED: 'X_REQUIRE_PRIVILEGED';

/**
 * Whether a privileged test file's tests skip here (call it at the file's top level). Without
 * X_REQUIRE_PRIVILEGED=1 a missing capability skips them and prints `reason`; with it (CI) `reason`
 * becomes one failing test.
 * @param what the tests, as the messages name them ('the ssh tests')
 * @param reason why they cannot run here (default: sshdUnavailableReason())
 * @param remedy what makes them run, in the failure's message (default: run as root with openssh-server and sudo)
 */
export declare function skipPrivileged(what: string, reason?: string | undefined, remedy?: string): boolean;

export interface Sshd {
  host: '127.0.0.1';
  port: number;
  /** The temp dir holding keys and config; removed by stop(). */
  dir: string;
  /** Private key authorized for every account. */
  clientKey: string;
  /** The host's public key line (`ssh-ed25519 AAAA... comment`). */
  hostPublicKey: string;
  /** A known_hosts file that trusts this sshd's host key. */
  knownHosts: string;
  /** What sshd wrote to stderr so far. */
  log(): string;
  /** ssh client arguments for `user@127.0.0.1` with the client key and no host-key prompts. */
  sshArgs(user: string): string[];
  stop(): Promise<void>;
}

/**
 * Starts a real sshd on a free loopback port with fresh keys (root only). `config`: sshd_config
 * lines that replace the fixture's own of the same keyword (as `MaxStartups 1`).
 */
export declare function startSshd(options?: { startTimeoutMs?: number; config?: string[] }): Promise<Sshd>;

export interface TestUser {
  name: string;
  home: string;
  remove(): void;
}

/** Creates an unlocked throwaway account (name starts with x), with an optional password and sudoers entry. */
export declare function createUser(name: string, options?: { password?: string; sudo?: 'nopasswd' | 'password' }): TestUser;

/** Ends every process of the account, then removes it, its home and its sudoers entry. */
export declare function removeUser(name: string): void;

/** A loopback port nothing listens on: it was free a moment ago (for refused-connection cases). */
export declare function freePort(): Promise<number>;
