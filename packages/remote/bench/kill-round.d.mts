/** See kill-round.mjs. */
export function killRound(router: { local(options: { name: string }): Promise<unknown> }, tasks: URL, marker: string): Promise<{ outcomes: string[]; settledMs: number }>;
