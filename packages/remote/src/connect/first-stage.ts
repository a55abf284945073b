import { REDIRECTED_ARG } from '../wire/markers.js';

/**
 * The first stage: the program given to `node -e`, with argv `<name> <length> [<REDIRECTED_ARG>]`. It prints the
 * marker `x-remote:EC0:<node version>` on its output (the parent sends the core only then), then reads exactly
 * `length` bytes (the raw-deflated core) from its input synchronously, so no byte after them is consumed,
 * tolerating a non-blocking fd (EAGAIN: sleep 2 ms and retry) and failing on EOF or after 30 s. Its input and
 * output are fds 0 and 1, or fds 3 and 4 when started by `redirectedArgv` (the shell moved the channel there).
 * It inflates the core and runs it with `require`, the name, the compressed core (for the context's own
 * children) and an `import()` bound to this script. Errors go to stderr, which the parent keeps.
 * It must stay under 1 KiB (it travels on every command line).
 */
export const FIRST_STAGE = [
  `const{readSync:r,writeSync:W}=require('fs'),[,N,L,F]=process.argv,n=+L,b=Buffer.alloc(n),d=Date.now()+3e4,w=new Int32Array(new SharedArrayBuffer(4)),I=F=='${REDIRECTED_ARG}'?3:0;`,
  // The marker (markers.ts) says "send the core now" and which Node this is; until then stdin may carry a password.
  "W(I?4:1,'x-remote:EC0:'+process.versions.node+'\\n');",
  'let o=0;while(o<n){let k;try{k=r(I,b,o,n-o,null)}catch(e){',
  "if(e.code!=='EAGAIN')throw e;if(Date.now()>d)throw Error('x-remote: timed out reading the core from stdin');Atomics.wait(w,0,0,2);continue}",
  "if(!k)throw Error('x-remote: EOF on stdin after '+o+' of '+n+' bytes of the core');o+=k}",
  "new Function('require','boot',require('zlib').inflateRawSync(b).toString())(require,{name:N,core:b,load:s=>import(s)})",
].join('');

/**
 * The first-stage command: `node --experimental-vm-modules -e <first stage> <name> <length>`. The flag gives the
 * core `vm.SourceTextModule`, with which it loads shipped modules in its own thread (modules/module-registry.ts).
 */
export function firstStageArgv(nodePath: string, name: string, coreLength: number): string[] {
  return [nodePath, '--experimental-vm-modules', '-e', FIRST_STAGE, name, String(coreLength)];
}

/**
 * The first-stage command for a method whose command gets only stdin, stdout and stderr (ssh, sudo, su):
 * `/bin/sh` moves stdin and stdout to fds 3 and 4 for the channel, gives fd 0 /dev/null and points fd 1 at
 * stderr, then execs Node there, so one Node process serves the context and nothing it or its children write
 * on fds 1 and 2 reaches the channel.
 */
export function redirectedArgv(nodePath: string, name: string, coreLength: number): string[] {
  return ['/bin/sh', '-c', 'exec "$@" 3<&0 4>&1 0</dev/null 1>&2', 'sh', ...firstStageArgv(nodePath, name, coreLength), REDIRECTED_ARG];
}
