/**
 * The exit statuses x itself chooses. A program that ends by a signal has no status at all (its parent
 * sees the signal), so these are always told apart from a signal death, and from the 1 that Node and
 * most programs use for their own errors.
 *
 * @example
 * import { exitStatus, spawn } from '@x/process';
 * const { code } = await spawn('node', ['server.js'], { stdio: 'inherit' }).exited;
 * if (code === exitStatus.critical) console.error('the server gave up: see its Critical above');
 */
export const exitStatus = Object.freeze({
  /** `control(main)`: main threw (or rejected with) an error that is not an `Exit` or `Interruption`: 70 (EX_SOFTWARE). */
  uncaught: 70,
  /** A `Critical` ended the process (`critical(fn)` failed, or `panic(message)`): 71. */
  critical: 71,
  /**
   * `control(main)`: main never settled and the event loop emptied, so nothing could ever settle it
   * (`MainUnsettledError`): 13, the status Node gives an unsettled top-level await.
   */
  unsettled: 13,
  /** A returned value that is not a number, as when main returns nothing: 0. */
  returned: 0,
});
