// `--limit PATTERN`: Ansible's host patterns, applied to the targets --on gave. A target is matched by
// its name, by the inventory host it reaches, and by its groups (those it came from through `@group`
// and those the inventory puts that host in).
import { UsageError } from './errors.js';
import { groupsOf, type Inventory } from './inventory.js';
import type { Target } from './targets.js';

/** A --limit pattern that is malformed, selects nothing, or names something no target has. */
export class HostPatternError extends UsageError {
  override readonly code = 'ERR_X_HOST_PATTERN';
}
Object.defineProperty(HostPatternError.prototype, 'name', { value: 'HostPatternError' });

/**
 * Keeps the targets `pattern` selects, in their order. The pattern is a list of terms joined by `,`
 * (or `:`): `all` or `*`, a name or group, a glob (`web*`, `db[12]`), `~regex` (matched from the
 * start); `&term` keeps only targets also matched by it, `!term` drops those matched by it. Without a
 * plain term, the terms apply to every target.
 *
 * @example
 * limitTargets(parseTargets('@web,@db', inventory), 'web*:!web3', inventory);
 * @throws HostPatternError (`ERR_X_HOST_PATTERN`) for a bad regex, a plain or `&` term that matches no
 *   target, or a pattern that leaves none.
 */
export function limitTargets(targets: Target[], pattern: string, inventory: () => Inventory | undefined): Target[] {
  const identities = targets.map((target) => identity(target, inventory()));
  const terms = splitPattern(pattern, identities);
  if (terms.length === 0) throw new HostPatternError(`--limit '${pattern}' has no host pattern; give names, groups or globs, as in web*,!web3.`);
  const plain = terms.filter((term) => !term.startsWith('!') && !term.startsWith('&'));
  const ordered = [...(plain.length > 0 ? plain : ['all']), ...terms.filter((term) => term.startsWith('&')), ...terms.filter((term) => term.startsWith('!'))];
  let kept = new Set<number>();
  for (const term of ordered) {
    const body = term.startsWith('!') || term.startsWith('&') ? term.slice(1) : term;
    const matcher = termMatcher(body, pattern);
    const matched = new Set(identities.flatMap((names, index) => (matcher(names) ? [index] : [])));
    if (matched.size === 0 && !term.startsWith('!')) {
      const some = targets.slice(0, 8).map((target) => target.name).join(', ');
      throw new HostPatternError(`--limit: '${body}' matches none of the ${targets.length} targets --on gave (${some}${targets.length > 8 ? ', …' : ''}) or their groups.`);
    }
    if (term.startsWith('!')) kept = new Set([...kept].filter((index) => !matched.has(index)));
    else if (term.startsWith('&')) kept = new Set([...kept].filter((index) => matched.has(index)));
    else for (const index of matched) kept.add(index);
  }
  if (kept.size === 0) throw new HostPatternError(`--limit '${pattern}' leaves none of the ${targets.length} targets --on gave.`);
  return targets.filter((_, index) => kept.has(index));
}

/** What a target answers to: its names (the target, without a `#2` suffix, and the host it reaches) and groups. */
interface Identity {
  names: string[];
  groups: string[];
}

function identity(target: Target, inventory: Inventory | undefined): Identity {
  const names = new Set([target.name, target.name.replace(/#\d+$/, '')]);
  const last = target.hops.at(-1)!;
  const reached = target.hops.findLast((hop) => hop.method === 'ssh' || (hop.method === 'local' && hop.alias !== undefined));
  if (reached && 'alias' in reached && reached.alias !== undefined) names.add(reached.alias);
  else if (last.method === 'local') names.add('local');
  const groups = new Set(target.groups ?? []);
  if (inventory) for (const name of names) for (const group of groupsOf(inventory, name)) groups.add(group);
  return { names: [...names], groups: [...groups] };
}

// Ansible splits at commas, else at colons outside [...]: a pattern that is one target's whole name
// (user@host:2222, sudo:root) is kept whole.
function splitPattern(pattern: string, identities: Identity[]): string[] {
  const trimmed = pattern.trim();
  let terms: string[];
  if (trimmed.includes(',')) terms = trimmed.split(',');
  else if (identities.some((identity) => identity.names.includes(trimmed.replace(/^[!&]/, '')))) terms = [trimmed];
  else terms = trimmed.match(/(?:[^\s:[\]]|\[[^\]]*\])+/g) ?? [];
  return terms.map((term) => term.trim()).filter((term) => term !== '' && term !== '!' && term !== '&');
}

function termMatcher(term: string, pattern: string): (identity: Identity) => boolean {
  if (term === 'all' || term === '*') return () => true;
  let regex: RegExp;
  if (term.startsWith('~')) {
    try {
      regex = new RegExp(`^(?:${term.slice(1)})`);
    } catch (error) {
      throw new HostPatternError(`--limit '${pattern}': '${term}' is not a regular expression: ${(error as Error).message}.`);
    }
  } else {
    regex = globRegex(term);
  }
  return ({ names, groups }) => names.some((name) => regex.test(name)) || groups.some((group) => regex.test(group));
}

/** A shell glob as a whole-string regex: `*`, `?`, `[abc]`, `[!abc]`, everything else literal. */
function globRegex(glob: string): RegExp {
  let source = '';
  for (let k = 0; k < glob.length; k++) {
    const char = glob[k]!;
    const close = char === '[' ? glob.indexOf(']', k + 2) : -1;
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else if (close !== -1) {
      const body = glob.slice(k + 1, close);
      source += `[${body.startsWith('!') ? `^${escapeClass(body.slice(1))}` : escapeClass(body)}]`;
      k = close;
    } else source += char.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

function escapeClass(body: string): string {
  return body.replace(/[\\^\]]/g, '\\$&');
}
