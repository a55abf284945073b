// Shipped to every target by `x apply` inside a small entry module that imports the site beside it
// (so the site's whole graph travels in the one call), and run there: the site runs under @x/ops's
// apply(), in the target's context, and each resource's event goes back to x as it completes.
import { type ApplySummary, apply, type ResourceEvent } from '@x/ops';

/** The part of an @x/remote Sender this module uses. */
export interface EventSender {
  send(event: ResourceEvent): unknown;
  close(): unknown;
}

/** How the site is applied. */
export interface ApplyTaskOptions {
  check: boolean;
  diff: boolean;
}

/**
 * Applies `exportName` of the site module `site` (its namespace), sending each resource's event
 * through `events` as it completes; resolves with the counts, or rejects with the error that stopped
 * the site (after its 'failed' event was sent).
 */
export async function applySite(site: Record<string, unknown>, exportName: string, options: ApplyTaskOptions, events: EventSender): Promise<ApplySummary> {
  const fn = site[exportName];
  try {
    // x checked the export before it contacted any target; a module whose export is computed at load may still be something else.
    if (typeof fn !== 'function') throw new TypeError(`the site's export '${exportName}' is ${fn === null ? 'null' : typeof fn} here, not a function`);
    return await apply(() => (fn as () => unknown)(), {
      check: options.check,
      diff: options.diff,
      // Events are small and few (one per resource): no back-pressure to honour.
      onEvent: (event) => void events.send(event),
    });
  } finally {
    events.close();
  }
}
