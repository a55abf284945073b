// @x/kernel-io: pass an accepted TCP connection to a child process (SCM_RIGHTS over a socket pair):
// the child answers the client on the connection itself while the parent keeps no copy of it.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { connect, connectInput, connectOutput, listen, recvFds, sendFds, socketpair } from '@x/kernel-io';

if (process.argv[2] === 'child') {
  // fd 3 is this process's end of the socket pair; the connection arrives over it.
  const { fds, data } = await recvFds(3, 1);
  const fd = fds[0];
  const input = connectInput(fd); // both channels share the fd, closed when both end
  const output = connectOutput(fd);
  const request = (await input.read()).toString();
  await output.send(JSON.stringify({ pid: process.pid, note: String(data), answer: request.toUpperCase() }));
  await output.end();
  input.terminate();
} else {
  const [server] = await listen({ host: '127.0.0.1', port: 0 });
  const [mine, theirs] = socketpair();
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'child'], { stdio: ['ignore', 'inherit', 'inherit', theirs.fd] });
  theirs.terminate(); // the child has its copy

  const accepted = server.accept();
  const client = await connect(server.address);
  const connection = await accepted;
  await sendFds(mine, [connection.fd], 'a client');
  connection.terminate(); // this process's copy; the child's stays open
  server.terminate();
  mine.terminate();

  await client.output.send('hello');
  let answer = '';
  for await (const chunk of client.input) answer += chunk;
  const reply = JSON.parse(answer);
  console.log(`parent ${process.pid} accepted a connection and passed its fd to child ${child.pid} with the note "a client"`);
  console.log(`client: sent "hello" and got "${reply.answer}" back from pid ${reply.pid}, which received the connection with the note "${reply.note}"`);
  const [code] = await once(child, 'exit');
  if (code !== 0 || reply.answer !== 'HELLO' || reply.pid !== child.pid) process.exitCode = 1;
}
