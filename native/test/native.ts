// The addon, loaded the way ESM packages load it.
import { createRequire } from 'node:module';

export const native = createRequire(import.meta.url)('@x/native') as typeof import('@x/native');
