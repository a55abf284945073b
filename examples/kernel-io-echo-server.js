// @x/kernel-io: a TCP echo server with back-pressure. The server reads the next buffer only once the
// previous one is queued for the peer (send() waits while the output is obstructed), so a client that
// reads slowly slows the server down instead of making it buffer without bound.
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, listen } from '@x/kernel-io';

const [server] = await listen({ host: '127.0.0.1', port: 0 });
console.log(`server listening on ${server.address.host}:${server.address.port}`);

const serving = (async () => {
  for await (const connection of server) {
    let obstructions = 0;
    connection.output.on('obstruct', () => obstructions++);
    for await (const chunk of connection.input) await connection.output.send(chunk);
    await connection.output.end(); // the client reads end of stream; the socket closes after both sides end
    console.log(
      `server: echoed ${connection.output.bytes} bytes, waiting ${obstructions} times for the slow client to catch up (its output queue was full) before reading more`,
    );
    server.terminate(); // one client is enough for the example
  }
})();

const client = await connect(server.address);
const data = randomBytes(32 << 20);
const sending = (async () => {
  for (let i = 0; i < data.length; i += 1 << 20) await client.output.send(data.subarray(i, i + (1 << 20)));
  await client.output.end(); // shuts down the write side only: the echo still comes back
})();
const hash = createHash('sha256');
let chunks = 0;
for await (const chunk of client.input) {
  hash.update(chunk);
  if (++chunks % 16 === 0) await sleep(5); // a slow reader
}
await sending;
await serving;
const ok = hash.digest('hex') === createHash('sha256').update(data).digest('hex');
console.log(`client: sent ${data.length} random bytes and read the echo slowly: ${ok ? 'identical to what it sent' : 'DIFFERENT from what it sent'}`);
if (!ok) process.exitCode = 1;
