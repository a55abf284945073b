import { serialize } from 'node:v8';
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { coreSource } from '../src/core-source.js';
import { HEADER_SIZE, encodeHeader } from '../src/frame.js';
import { CONTEXT_ID, MAX_MESSAGE_SIZE, ManualContext, frame } from './manual-context.js';

useLeakCheck();

// The fuzzer plays the parent: it starts a context by hand (first stage, core, bootstrap frame) and then
// writes hostile frames at its channel. Handles that a parent may legitimately use to end the context or
// make it start processes (SHUTDOWN 106, CONNECT_CHILD 107, KILL_CHILD 108) are not fuzzed.
const HANDLES = [100, 101, 102, 103, 104, 110, 1000, 1001, 5000, 99, 0, 0xffffffff];

/** mulberry32: a small seeded generator, so a failing run can be replayed from its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TEMPLATES = [
  ['m', 'file:///nowhere.ts?x=0123456789abcdef', null, 'run', [1, 'two', { three: 3 }]],
  ['u', 'file:///etc/passwd', null, 'x', []],
  ['m', 'file:///a.ts?x=0123456789abcdef', [{ key: 'file:///a.ts?x=0123456789abcdef', source: 'export const run = () => 1;', deps: {} }], 'nothing', []],
  [1, 'stdout', 'info', 'text', 12.5],
  [2, 3, 4],
  ['file:///a.ts?x=0123456789abcdef', './b.js'],
  { '\u0000x': 'e', name: 'Error', message: 'm', stack: 's', cause: { '\u0000x': 's', id: 0, handle: 5 } },
  { '\u0000x': 'b', o: 0, n: 1 << 30 },
  { '\u0000x': 'c', id: 1, name: 'x' },
  new Map([[1, new Set([2n])]]),
].map((value) => serialize(value));

function fuzzPayload(next: () => number): Buffer {
  const pick = next();
  if (pick < 0.35) return Buffer.from(Array.from({ length: Math.floor(next() * 200) }, () => Math.floor(next() * 256)));
  const template = Buffer.from(TEMPLATES[Math.floor(next() * TEMPLATES.length)]!);
  if (pick < 0.85) {
    for (let flips = 1 + Math.floor(next() * 4); flips > 0; flips--) template[Math.floor(next() * template.length)] = Math.floor(next() * 256);
  }
  if (next() < 0.1) return template.subarray(0, Math.floor(next() * template.length));
  if (next() < 0.3) {
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(next() < 0.5 ? template.length : Math.floor(next() * 0xffffffff));
    return Buffer.concat([prefix, template, Buffer.alloc(Math.floor(next() * 64))]);
  }
  return template;
}

function fuzzFrame(next: () => number): Buffer {
  const small = (): number => (next() < 0.5 ? 0 : next() < 0.8 ? Math.floor(next() * 5) : Math.floor(next() * 0xffffffff));
  const payload = fuzzPayload(next);
  const encoding = next() < 0.6 ? 0 : Math.floor(next() * 4);
  return frame(encoding, {
    dst: next() < 0.9 ? CONTEXT_ID : small(),
    src: small(),
    auth: small(),
    handle: next() < 0.8 ? HANDLES[Math.floor(next() * HANDLES.length)]! : Math.floor(next() * 0xffffffff),
    replyTo: next() < 0.5 ? 0 : Math.floor(next() * 0xffffffff),
  }, payload);
}

/** Framing that must end the stream: bad magic or version, unknown encoding or flags, a length over the maximum. */
function breakingBytes(next: () => number): Buffer {
  const header = encodeHeader({ encoding: 0, dst: CONTEXT_ID, src: 0, auth: 0, handle: 101, replyTo: 0 }, 10);
  switch (Math.floor(next() * 5)) {
    case 0: header[0] = 0x59; break;
    case 1: header[1] = 2; break;
    case 2: header[2] = 4 + Math.floor(next() * 250); break;
    case 3: header[3] = 1 + Math.floor(next() * 255); break;
    default: header.writeUInt32BE(MAX_MESSAGE_SIZE + 1 + Math.floor(next() * 0x7fffffff), 24);
  }
  return Buffer.concat([header, Buffer.alloc(10)]);
}

describe('the frame decoder under fuzzing', () => {
  it('survives 100,000 random and mutated frames at a context input: clean errors or a clean disconnect, bounded memory', async () => {
    const core = await coreSource();
    const seed = Number(process.env['X_REMOTE_FUZZ_SEED'] ?? Date.now() % 1_000_000);
    const next = random(seed);
    const contexts = 10;
    const framesPerContext = 10_000;
    let sent = 0;
    for (let round = 0; round < contexts; round++) {
      const target = new ManualContext(core);
      try {
        await target.start();
        for (let batch = 0; batch < framesPerContext / 1000; batch++) {
          const frames: Buffer[] = [];
          for (let index = 0; index < 1000; index++) frames.push(fuzzFrame(next));
          // Split at random points: the decoder must not care where reads end.
          const bytes = Buffer.concat(frames);
          for (let offset = 0; offset < bytes.length; ) {
            const size = 1 + Math.floor(next() * 70_000);
            target.write(bytes.subarray(offset, offset + size));
            offset += size;
          }
          sent += frames.length;
          expect(await target.ping(), `seed ${seed}: context stopped answering after ${sent} frames`).toBe(true);
        }
        expect(target.peakRssKiB(), `seed ${seed}: peak RSS`).toBeLessThan(400 * 1024);
        target.write(breakingBytes(next));
        const end = await Promise.race([target.exited, new Promise<'hung'>((resolve) => setTimeout(resolve, 20_000, 'hung'))]);
        expect(end, `seed ${seed}: the context did not disconnect after a broken frame`).not.toBe('hung');
        expect(target.stderr.join(''), `seed ${seed}: the context printed an error`).toBe('');
      } finally {
        await target.stop();
      }
    }
    expect(sent).toBe(contexts * framesPerContext);
  }, 600_000);

  it('ends the stream, without a crash, on pure random bytes', async () => {
    const core = await coreSource();
    const next = random(7);
    for (let round = 0; round < 5; round++) {
      const target = new ManualContext(core);
      try {
        await target.start();
        const noise = Buffer.from(Array.from({ length: 100_000 }, () => Math.floor(next() * 256)));
        noise[0] = 0x00;
        target.write(noise);
        const end = await Promise.race([target.exited, new Promise<'hung'>((resolve) => setTimeout(resolve, 20_000, 'hung'))]);
        expect(end).not.toBe('hung');
        expect(target.stderr.join('')).toBe('');
      } finally {
        await target.stop();
      }
    }
    expect(HEADER_SIZE).toBe(28);
  }, 300_000);
});
