/**
 * The first stage: the program given to `node -e`, with argv `<name> <length>`. It prints the marker
 * `x-remote:EC0:<node version>` on fd 1 (the parent sends the core only then), then reads exactly
 * `length` bytes (the raw-deflated core) from fd 0 synchronously, so no byte after them is consumed,
 * tolerating a non-blocking fd (EAGAIN: sleep 2 ms and retry) and failing on EOF or after 30 s. It
 * inflates the core and runs it with `require`, the name, the compressed core (for the context's own
 * children) and an `import()` bound to this script. Errors go to stderr, which the parent keeps.
 * It must stay under 1 KiB (it travels on every command line).
 */
export const FIRST_STAGE = [
  "const{readSync:r,writeSync:W}=require('fs'),[,N,L]=process.argv,n=+L,b=Buffer.alloc(n),d=Date.now()+3e4,w=new Int32Array(new SharedArrayBuffer(4));",
  // The marker (markers.ts) says "send the core now" and which Node this is; until then stdin may carry a password.
  "W(1,'x-remote:EC0:'+process.versions.node+'\\n');",
  'let o=0;while(o<n){let k;try{k=r(0,b,o,n-o,null)}catch(e){',
  "if(e.code!=='EAGAIN')throw e;if(Date.now()>d)throw Error('x-remote: timed out reading the core from stdin');Atomics.wait(w,0,0,2);continue}",
  "if(!k)throw Error('x-remote: EOF on stdin after '+o+' of '+n+' bytes of the core');o+=k}",
  "new Function('require','boot',require('zlib').inflateRawSync(b).toString())(require,{name:N,core:b,load:s=>import(s)})",
].join('');
