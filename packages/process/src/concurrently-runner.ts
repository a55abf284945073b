// The program a `concurrently` child runs (as `node --input-type=module -e`), so that no file has to
// exist on disk next to the compiled package. Frames on fd 3 are a 4-byte big-endian length and a
// v8-serialized value: the parent sends {moduleUrl, exportName, args}; the child answers
// {ok: true, value} or {ok: false, error}. Blocking reads and writes are right here: the child does
// nothing else until the call is made, and it exits right after answering.
export const runnerSource = String.raw`
import { readSync, writeSync } from 'node:fs';
import { serialize, deserialize } from 'node:v8';
const fd = 3;
function readExactly(size) {
  const buffer = Buffer.allocUnsafe(size);
  let have = 0;
  while (have < size) {
    let got;
    try { got = readSync(fd, buffer, have, size - have, null); }
    catch (error) { if (error.code === 'EAGAIN' || error.code === 'EINTR') continue; throw error; }
    if (got === 0) process.exit(0);
    have += got;
  }
  return buffer;
}
function send(message) {
  let body;
  try { body = serialize(message); }
  catch (error) {
    // The value cannot cross: say so with the name structuredClone would use.
    body = serialize({ ok: false, error: { name: 'DataCloneError', message: 'The result of ' + JSON.stringify(request.exportName) + ' cannot be sent back to the parent: ' + error.message, stack: error.stack, props: {} } });
  }
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, 4);
  let sent = 0;
  while (sent < frame.length) sent += writeSync(fd, frame, sent, frame.length - sent);
}
function describe(error) {
  if (!(error instanceof Error)) return { thrown: error };
  const props = {};
  for (const key of Object.keys(error)) {
    try { serialize(error[key]); props[key] = error[key]; } catch {}
  }
  return { name: error.name, message: error.message, stack: error.stack, props };
}
const request = deserialize(readExactly(readExactly(4).readUInt32BE(0)));
let answer;
try {
  const module = await import(request.moduleUrl);
  const fn = module[request.exportName];
  if (typeof fn !== 'function') {
    throw Object.assign(new TypeError(request.moduleUrl + ' has no exported function named ' + JSON.stringify(request.exportName)), { code: 'ERR_X_PROCESS_NO_SUCH_EXPORT' });
  }
  answer = { ok: true, value: await fn(...request.args) };
} catch (error) {
  answer = { ok: false, error: describe(error) };
}
send(answer);
process.exit(0);
`;
