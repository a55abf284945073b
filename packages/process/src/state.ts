// Process-wide state, shared by every loaded copy of this package through a registered
// symbol: two copies in one dependency tree still end the process once.

export interface ProcessState {
  /** True while a control(main) runs the program; set by control only. */
  controlled: boolean;
  /** True once an end was decided (an exit status, a Critical): later requests are ignored. */
  ending: boolean;
}

const key = Symbol.for('@x/process');

export function sharedState(): ProcessState {
  const holder = globalThis as { [key]?: ProcessState };
  holder[key] ??= { controlled: false, ending: false };
  return holder[key];
}
