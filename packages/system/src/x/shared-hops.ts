// The hops several targets' chains begin with, started once per command and shared by those targets:
// twenty targets `bastion/web1` ... `bastion/web20` log in to the bastion once, and `db/sudo:root` beside
// `db/sudo:backup` logs in to db once, as Ansible's ssh multiplexing and mitogen's connection cache do.
// A target's last hop is always its own context: what runs there never shares a process with another
// target's work.
/** What the runner shuts down when a target ends: its own contexts, and its hold on shared ones. */
export interface Closable {
  shutdown(options?: { timeoutMs?: number }): Promise<void>;
}

/** What a shared start gives: a context, and whatever else its starter needs to go on. */
export interface SharedStart {
  context: Closable;
}

interface Entry {
  started: Promise<SharedStart>;
  users: number;
}

/** The key of a chain's first `length` hops: the hops as data, so equal options make equal keys. */
export function prefixKey(hops: readonly unknown[], length: number): string {
  return JSON.stringify(hops.slice(0, length));
}

export class SharedHops {
  readonly #entries = new Map<string, Entry>();
  /** How many of the command's chains begin with each prefix (a chain's own last hop excluded). */
  readonly #expected = new Map<string, number>();

  constructor(chains: readonly (readonly unknown[])[] = []) {
    for (const hops of chains) {
      for (let length = 1; length < hops.length; length++) {
        const key = prefixKey(hops, length);
        this.#expected.set(key, (this.#expected.get(key) ?? 0) + 1);
      }
    }
  }

  /** How many of the command's targets begin their chains with the hops of `key`. */
  expected(key: string): number {
    return this.#expected.get(key) ?? 0;
  }

  /**
   * The hop `key` names (the chain up to it, as data), started by `start` on its first use and shared
   * until every holder has released it. `lease.shutdown()` releases this holder's share: the last one
   * shuts the context down, once it is up. A start that fails is forgotten at once, so a retry starts
   * afresh; each holder hears the failure.
   */
  acquire<T extends SharedStart>(key: string, start: () => Promise<T>): { started: Promise<T>; lease: Closable } {
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      const started = start();
      const created: Entry = { started, users: 0 };
      entry = created;
      this.#entries.set(key, created);
      started.catch(() => {
        if (this.#entries.get(key) === created) this.#entries.delete(key);
      });
    }
    const held = entry;
    held.users++;
    let released = false;
    const lease: Closable = {
      shutdown: async (options) => {
        if (released) return;
        released = true;
        if (--held.users > 0) return;
        if (this.#entries.get(key) === held) this.#entries.delete(key);
        const hop = await held.started.catch(() => undefined);
        await hop?.context.shutdown(options);
      },
    };
    // Every start under one key comes from connect() with the same type.
    return { started: held.started as Promise<T>, lease };
  }
}
