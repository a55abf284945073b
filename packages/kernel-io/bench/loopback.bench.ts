// 2 GiB over loopback TCP, one connection, client to server: listen/connect channels (the server
// hands buffers back) vs net.Socket write with 'drain' and a 'data' listener.
import * as net from 'node:net';
import { connect, listen } from '../src/index.js';
import { alternate } from './support.js';

const SIZE = 2 * 2 ** 30;
const block = Buffer.alloc(1 << 20, 3);

async function ours(): Promise<void> {
  const [server] = await listen({ host: '127.0.0.1', port: 0 });
  const received = (async () => {
    const connection = (await server!.accept())!;
    let n = 0;
    for await (const chunk of connection.input) {
      n += chunk.length;
      connection.input.release(chunk);
    }
    connection.terminate();
    return n;
  })();
  const client = await connect(server!.address);
  for (let i = 0; i < SIZE; i += block.length) if (!client.output.write(block)) await client.output.ready();
  await client.output.end();
  const n = await received;
  client.terminate();
  server!.terminate();
  if (n !== SIZE) throw new Error(`received ${n} bytes, not ${SIZE}`);
}

async function peer(): Promise<void> {
  let resolveCount!: (n: number) => void;
  const counted = new Promise<number>((resolve) => (resolveCount = resolve));
  const server = net.createServer((socket) => {
    let n = 0;
    socket.on('data', (chunk: Buffer) => (n += chunk.length));
    socket.on('end', () => {
      socket.end();
      resolveCount(n);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const client = net.connect(port, '127.0.0.1');
  await new Promise((resolve) => client.once('connect', resolve));
  for (let i = 0; i < SIZE; i += block.length) {
    if (!client.write(block)) await new Promise((resolve) => client.once('drain', resolve));
  }
  client.end();
  const n = await counted;
  client.destroy();
  await new Promise((resolve) => server.close(resolve));
  if (n !== SIZE) throw new Error(`received ${n} bytes, not ${SIZE}`);
}

await alternate('kernel-io: 2 GiB over loopback TCP', SIZE, { name: 'listen/connect channels', run: ours }, [{ name: 'net.Socket', run: peer }]);
