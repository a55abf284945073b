import type { Options } from 'tsup';
declare const options: Options;
export default options;
