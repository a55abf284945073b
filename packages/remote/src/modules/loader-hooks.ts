/**
 * The module loader hooks that run on Node's hooks thread inside a context. They are kept as source text, not as
 * functions, because `module.register()` takes a URL (here a `data:` URL) and the core that carries them is itself
 * a minified bundle: a function's `toString()` would drag in whatever helpers the bundler inserted.
 *
 * Protocol over the MessagePort given in `initialize` data (main thread <-> hooks thread):
 * - main -> hooks `{ type: 'add', records }`: records the hooks may resolve and load. Posted before the main
 *   thread calls `import()`, and drained synchronously (receiveMessageOnPort) at the start of every hook, so a
 *   record always arrives before the import that needs it, whatever order the two threads run in.
 * - hooks -> main `{ type: 'fetch', id, fromKey, specifier }`: a specifier of one of our modules that no record
 *   names (a dynamic `import()`); main answers with `add` and then `{ type: 'reply', id, root }` or
 *   `{ type: 'reply', id, error }`.
 * The port is referenced only while a fetch is outstanding, so the hooks never keep a context alive.
 *
 * Such a specifier is fetched in `load`, never in `resolve`: `import.meta.resolve()` runs `resolve` while the main
 * thread is blocked waiting for it, so a fetch there could never be answered. `resolve` instead names the module
 * the way Node would locally (the parent's file URL for a relative specifier, an `x-remote:import` URL for a bare
 * one), and `load` fetches the real module and answers with a facade that re-exports it, so the module itself
 * still has its key and stays one instance.
 */

import type { ModuleRecord } from './module-record.js';

/** The URL the `@x/remote` specifier resolves to inside a context. */
export const RUNTIME_SHIM_URL = 'x-remote:runtime';

/** What a failed fetch carries to the hooks thread: the error's own fields, rebuilt there as an Error. */
export interface SerializedModuleError {
  name: string;
  message: string;
  code?: string;
  [field: string]: unknown;
}

export type ToHooks =
  | { type: 'add'; records: ModuleRecord[] }
  | { type: 'reply'; id: number; root: string }
  | { type: 'reply'; id: number; error: SerializedModuleError };

export type FromHooks = { type: 'fetch'; id: number; fromKey: string; specifier: string };

/**
 * The hooks module. Comments stay out of the string, which travels in every context's core:
 * - a hooks error's stack is only its message: frames here would print this whole data: URL, and the importing
 *   module's frames are what the caller needs;
 * - a fetched JSON module loads as JSON under the import's own URL (Node checks its type attribute against the
 *   format), so it is the one module a facade cannot stand for;
 * - another registry's hooks (registered later, so run first) pass its keys on; only the first registry's hooks,
 *   last in the chain (`innermost`), refuse a key nobody holds instead of letting Node read it from disk.
 */
export const loaderHooksSource = String.raw`
import { isBuiltin } from 'node:module';
import { receiveMessageOnPort } from 'node:worker_threads';

const SHIM = ${JSON.stringify(RUNTIME_SHIM_URL)};
const SHIM_SOURCE = "export const { parentContext, currentContext } = globalThis[Symbol.for('@x/remote.runtime')];";
const KEY = /^file:[^?#]*\?x=[0-9a-f]{16}$/;
const records = new Map();
const waiting = new Map();
const dynamic = new Map();
let port;
let innermost = true;
let lastId = 0;

function receive(message) {
  if (message.type === 'add') {
    for (const record of message.records) {
      if (!records.has(record.key)) records.set(record.key, { source: record.source, deps: { ...record.deps } });
    }
  } else if (message.type === 'reply') {
    const settle = waiting.get(message.id);
    if (settle === undefined) return;
    waiting.delete(message.id);
    if (waiting.size === 0) port.unref();
    settle(message);
  }
}

function drain() {
  for (let message; (message = receiveMessageOnPort(port)) !== undefined; ) receive(message.message);
}

function fetchMissing(fromKey, specifier) {
  const id = ++lastId;
  return new Promise((settle) => {
    waiting.set(id, settle);
    port.ref();
    port.postMessage({ type: 'fetch', id, fromKey, specifier });
  });
}

function target(dep) {
  return dep === '@x/remote' ? SHIM : dep;
}

function moduleError(fields) {
  const error = new Error(fields.message);
  for (const [name, value] of Object.entries(fields)) if (name !== 'message') error[name] = value;
  error.stack = error.name + ': ' + error.message;
  return error;
}

export function initialize(data) {
  innermost = data.innermost;
  port = data.port;
  port.on('message', receive);
  port.unref();
}

export async function resolve(specifier, context, nextResolve) {
  drain();
  if (specifier === SHIM || records.has(specifier)) return { url: specifier, shortCircuit: true };
  const parentURL = context.parentURL;
  const parent = parentURL === undefined ? undefined : records.get(parentURL);
  if (parent === undefined) return nextResolve(specifier, context);
  const dep = parent.deps[specifier];
  if (dep !== undefined) return { url: target(dep), shortCircuit: true };
  if (specifier.startsWith('node:') || isBuiltin(specifier)) {
    const url = specifier.startsWith('node:') ? specifier : 'node:' + specifier;
    return { url, shortCircuit: true };
  }
  const url = /^(\.{0,2}\/|file:)/.test(specifier)
    ? new URL(specifier, parentURL.slice(0, parentURL.indexOf('?'))).href
    : 'x-remote:import?from=' + encodeURIComponent(parentURL) + '&specifier=' + encodeURIComponent(specifier);
  if (!dynamic.has(url)) dynamic.set(url, { fromKey: parentURL, specifier });
  return { url, shortCircuit: true };
}

function facade(root) {
  const from = JSON.stringify(target(root));
  const source = records.get(root)?.source ?? '';
  const hasDefault = root.startsWith('node:') || /\bexport\s+default\b|\bexport\s*\{[^}]*\bdefault\b/.test(source);
  return 'export * from ' + from + ';\n' +
    (hasDefault ? 'import * as namespace from ' + from + ';\nexport default namespace.default;\n' : '');
}

export async function load(url, context, nextLoad) {
  drain();
  if (url === SHIM) return { format: 'module', source: SHIM_SOURCE, shortCircuit: true };
  const pending = dynamic.get(url);
  if (pending !== undefined) {
    const reply = await fetchMissing(pending.fromKey, pending.specifier);
    drain();
    if (reply.error !== undefined) throw moduleError(reply.error);
    const json = records.get(reply.root);
    if (json !== undefined && reply.root.slice(0, reply.root.indexOf('?')).endsWith('.json')) {
      return { format: 'json', source: json.source, shortCircuit: true };
    }
    return { format: 'module', source: facade(reply.root), shortCircuit: true };
  }
  const record = records.get(url);
  if (record !== undefined) {
    const format = url.slice(0, url.indexOf('?')).endsWith('.json') ? 'json' : 'module';
    return { format, source: record.source, shortCircuit: true };
  }
  if (KEY.test(url) && innermost) {
    throw moduleError({
      name: 'ModuleError',
      code: 'ERR_X_REMOTE_MODULE_NOT_FOUND',
      message: 'module ' + url + ' was never sent to this context; its importer arrived without it (a bug in @x/remote: report it)',
      file: url,
    });
  }
  return nextLoad(url, context);
}
`;
