// @x/coro: a TCP echo server on 127.0.0.1, one coroutine per connection, each with an idle timeout.
// Two clients talk to it: one echoes a line, one stays silent and is cut off after IDLE_MS.
import { once } from 'node:events';
import net from 'node:net';
import { coro } from '@x/system';

const { Fifo, TimeoutError, call, eventLoop, inParallel, setExit, spawn, withTimeout } = coro;
const IDLE_MS = 200;

/** Serves one connection: echoes what arrives, and hangs up after IDLE_MS of silence. */
function* serve(socket) {
  const chunks = new Fifo(); // socket events feed the coroutine; null means the peer is done
  socket.on('data', (chunk) => chunks.push(chunk));
  socket.on('end', () => chunks.push(null));
  socket.on('error', () => chunks.push(null));
  try {
    for (;;) {
      const chunk = yield* withTimeout(IDLE_MS, chunks.pop());
      if (chunk === null) break;
      socket.write(chunk);
    }
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    socket.write(`idle for ${IDLE_MS} ms, bye\n`);
  } finally {
    socket.end();
  }
}

/** A client that sends one line and gives back what came back. */
function* talk(port, line) {
  const socket = net.connect(port, '127.0.0.1');
  yield* call(once(socket, 'connect'));
  socket.end(`${line}\n`);
  let reply = '';
  socket.on('data', (chunk) => (reply += chunk));
  yield* call(once(socket, 'close'));
  return reply.trim();
}

/** A client that says nothing and reports what the server told it. */
function* silent(port) {
  const socket = net.connect(port, '127.0.0.1');
  let heard = '';
  socket.on('data', (chunk) => (heard += chunk));
  yield* call(once(socket, 'close'));
  return heard.trim();
}

const server = net.createServer((socket) => spawn(serve, socket));

spawn(function* main() {
  server.listen(0, '127.0.0.1');
  yield* call(once(server, 'listening'));
  const { port } = server.address();
  const [echoed, cutOff] = yield* inParallel([
    [talk, [port, 'hello, coroutines']],
    [silent, [port]],
  ]);
  console.log(`client 1 sent "hello, coroutines" and the server echoed back: "${echoed}"`);
  console.log(`client 2 sent nothing: after ${IDLE_MS} ms the server timed its connection out, saying "${cutOff}"`);
  server.close();
  setExit(0);
});

process.exitCode = await eventLoop();
