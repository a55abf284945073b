// Judging the program at `nodePath` by what its first stage printed, before the core is sent: an older
// Node than contexts need is refused by its version, and a program that is not Node at all (it printed
// the first stage's source instead of running it, or exited without a word) is named as such, instead
// of failing later with that source text as the only clue. Runs in the root and in contexts (`via`).
import { MIN_NODE_VERSION, SEND_CORE_MARKER } from '../wire/markers.js';

/**
 * Why the program announcing `version` (the text after SEND_CORE_MARKER on its marker line) cannot run a
 * context, or undefined when it can.
 * @param where where it runs, in the message ('this host', 'ssh to web1')
 */
export function refuseVersion(nodePath: string, where: string, version: string): string | undefined {
  if (!/^\d+\.\d+\.\d+$/.test(version)) return notNodeMessage(nodePath, where, 'its first stage announced no Node version');
  if (atLeast(version, MIN_NODE_VERSION)) return undefined;
  return `${nodePath} on ${where} is Node ${version}; contexts need Node >= ${MIN_NODE_VERSION}. Install a newer one or pass nodePath.`;
}

/** Whether `line`, printed before the marker, is the first stage's own source: the program echoed its arguments. */
export function echoesFirstStage(line: string): boolean {
  return line.includes(SEND_CORE_MARKER) && !line.startsWith(SEND_CORE_MARKER);
}

/** The message for a `nodePath` that is not Node; `evidence` says what it did instead of running the first stage. */
export function notNodeMessage(nodePath: string, where: string, evidence: string): string {
  return `${JSON.stringify(nodePath)} on ${where} is not Node: ${evidence}. Pass nodePath: the path of a node binary (>= ${MIN_NODE_VERSION}).`;
}

function atLeast(version: string, minimum: string): boolean {
  const have = version.split('.').map(Number);
  const need = minimum.split('.').map(Number);
  for (let index = 0; index < need.length; index++) {
    const a = have[index]!;
    const b = need[index]!;
    if (a !== b) return a > b;
  }
  return true;
}
