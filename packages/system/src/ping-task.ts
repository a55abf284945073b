// Shipped to every target by `x ping`: only node: builtins, from the target's own Node.
import { arch, hostname, platform } from 'node:os';

/** What `x ping` shows of a target: its Node and the machine it runs on. */
export function info(): { node: string; platform: string; arch: string; hostname: string; pid: number } {
  return { node: process.version, platform: platform(), arch: arch(), hostname: hostname(), pid: process.pid };
}

/** The smallest call there is, for the round trip. */
export function echo<T>(value: T): T {
  return value;
}

/** The node binary this context runs: a sudo or su hop started from it runs the same one. */
export function execPath(): string {
  return process.execPath;
}
