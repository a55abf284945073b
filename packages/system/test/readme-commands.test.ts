// The READMEs' x command lines, run exactly as written (through pnpm, from the repository's root): their
// stdout is x's alone (no pnpm header), so every --json example parses as JSON lines and pipes into jq.
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useLeakCheck } from '@x/test-env';
import { expectNoneLeft, jsonLines, repoRoot } from './helpers.js';

useLeakCheck();

const readmes = ['README.md', 'packages/system/README.md'];
const MINUTE = 60_000;

/** The lines of a README's ```sh blocks. */
function shellLines(readme: string): string[] {
  const blocks = readFileSync(join(repoRoot, readme), 'utf8').match(/^```sh\n[\s\S]*?^```$/gm) ?? [];
  return blocks.flatMap((block) => block.split('\n').slice(1, -1));
}

/** Runs `line` with sh in the repository's root, as a reader of the README would, and checks it left no process behind. */
async function sh(line: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const marker = randomUUID();
  const child = spawn('sh', ['-c', line], { cwd: repoRoot, env: { ...process.env, X_TEST_MARKER: marker }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  await expectNoneLeft(marker);
  return { code, stdout, stderr };
}

const jsonExamples = readmes.flatMap(shellLines).filter((line) => line.includes('--json'));
const hasJq = spawnSync('sh', ['-c', 'command -v jq']).status === 0;

describe("the READMEs' x command lines", () => {
  it('run x through pnpm only as `pnpm -s x`, which prints no pnpm header', () => {
    for (const readme of readmes) expect(readFileSync(join(repoRoot, readme), 'utf8'), readme).not.toMatch(/pnpm x\b/);
    expect(jsonExamples.length).toBeGreaterThan(0);
  });

  it("the root README's first command prints only its four results on stdout", async () => {
    const first = shellLines('README.md')[0]!;
    expect(first).toMatch(/^pnpm install && pnpm -s x /);
    const result = await sh(first.replace(/^pnpm install && /, ''));
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(line).toMatch(/^local-[1-4] \| \{ hostname: /);
  }, 3 * MINUTE);

  for (const example of jsonExamples) {
    it(`${example}: x's part prints JSON lines only, each a success`, async () => {
      const result = await sh(example.split(' | jq ')[0]!);
      expect(result.code, result.stderr).toBe(0);
      const objects = jsonLines(result.stdout);
      expect(objects.length).toBeGreaterThan(0);
      for (const object of objects) expect(object).toMatchObject({ ok: true });
    }, 3 * MINUTE);

    it.skipIf(!hasJq)(`${example}: runs as written, jq included`, async () => {
      const result = await sh(example);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout.trim().split('\n')).toHaveLength(2);
    }, 3 * MINUTE);
  }
});
