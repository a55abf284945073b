/** Delays spread over `distinct` values from `base` ms, as per-connection timeouts with jitter are. */
export function spreadDelay(k: number, base: number, distinct: number): number {
  return base + ((k * 7919) % distinct);
}
