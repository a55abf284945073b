// The text of an error from a context as the user should read it. A shipped module runs under its key
// (`file:///src/app.ts?x=<16 hex>`, see module-record.ts), and a pre-bundled package under its bundle's
// lines: a stack would otherwise name URLs the user never wrote and lines of code they never saw. The
// root made every key, so it maps each back to the file and, through the module's source map, to the
// file's own line and column. Keyed by URL alone, this works whatever loads the modules in the context
// and whether or not the context applied source maps itself.
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

/** What the root knows of a module it shipped. */
export interface ShippedModule {
  /** The parent's file URL the module was made from. */
  url: string;
  /** The source as shipped: a transformed file carries its source map inline. */
  source: string;
  /** The source map of a pre-bundled package (kept here: it does not travel), as JSON text. */
  map: string | undefined;
}

/** Finds what the root shipped under `key`, or undefined for a key it never made (or forgot). */
export type ShippedLookup = (key: string) => ShippedModule | undefined;

/** A key's query and hash, with the line and column a stack frame gives after it. */
const KEY_SUFFIX = /\?x=[0-9a-f]{16}(?::(\d{1,10}):(\d{1,10}))?/g;

/** What may stand between `file:///` and the query in a key as it appears in text. */
const KEY_PATH = /^[^\s()'"`?#]*$/;

/** The end of a frame of the context's core, run by `new Function` inside `node -e`. */
const CORE_FRAME_END = /\(\[eval\]:\d+:\d+\), <anonymous>:\d+:\d+\)$/;

const INLINE_MAP = /\n\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/;

/** Parsed maps kept at most; past it the cache starts over (maps are parsed again on demand). */
const MAX_MAPS = 256;

/**
 * Rewrites error text from contexts: every module key becomes the parent's path, with its line and
 * column mapped to the original file's; the core's frames are dropped from a stack that has others.
 *
 * @example
 * const paths = new StackPaths((key) => server.shipped(key));
 * paths.rewrite('    at boom (file:///app/node_modules/lib/index.js?x=6363fded9a70f939:12:13)');
 * // '    at boom (/app/node_modules/lib/index.js:1:33)'
 */
export class StackPaths {
  readonly #lookup: ShippedLookup;
  /** Each key's map, or null for a key without one. */
  readonly #maps = new Map<string, SourceMap | null>();

  constructor(lookup: ShippedLookup) {
    this.#lookup = lookup;
  }

  /** `text` (a message or a stack) with no module key left in it. */
  rewrite(text: string): string {
    const rewritten = text.includes('?x=') ? this.#placeKeys(text) : text;
    return rewritten.includes('[eval]') ? dropCoreFrames(rewritten) : rewritten;
  }

  /**
   * Each key's suffix is found first, then its `file:///` looked for only back to the previous key: the
   * text comes from a context, and a search that went back further could take time quadratic in it.
   */
  #placeKeys(text: string): string {
    let out = '';
    let done = 0;
    let scanned = 0;
    for (const suffix of text.matchAll(KEY_SUFFIX)) {
      const between = text.slice(scanned, suffix.index);
      const start = between.lastIndexOf('file:///');
      const end = suffix.index + suffix[0].length;
      if (start >= 0 && KEY_PATH.test(between.slice(start + 8))) {
        const url = between.slice(start);
        out += text.slice(done, scanned + start) + this.#place(url, `${url}${suffix[0].slice(0, 19)}`, suffix[1], suffix[2]);
        done = end;
      }
      scanned = end;
    }
    return out + text.slice(done);
  }

  #place(url: string, key: string, line: string | undefined, column: string | undefined): string {
    let file: string;
    try {
      file = fileURLToPath(url);
    } catch {
      // Not a path on this system (a host in the URL, an encoded slash): left as it came.
      return key + (line === undefined ? '' : `:${line}:${column}`);
    }
    if (line === undefined || column === undefined) return file;
    const origin = this.#mapOf(key)?.findEntry(Number(line) - 1, Number(column) - 1);
    if (origin === undefined || !('originalSource' in origin)) return `${file}:${line}:${column}`;
    const source = new URL(origin.originalSource, key);
    const path = source.protocol === 'file:' ? fileURLToPath(source) : source.href;
    return `${path}:${origin.originalLine + 1}:${origin.originalColumn + 1}`;
  }

  #mapOf(key: string): SourceMap | null {
    let map = this.#maps.get(key);
    if (map !== undefined) return map;
    map = null;
    const shipped = this.#lookup(key);
    const text = shipped?.map ?? inlineMap(shipped?.source);
    if (text !== undefined) {
      try {
        map = new SourceMap(JSON.parse(text) as ConstructorParameters<typeof SourceMap>[0]);
      } catch {
        // A map that does not parse maps nothing: the frame keeps the shipped line.
      }
    }
    if (this.#maps.size >= MAX_MAPS) this.#maps.clear();
    this.#maps.set(key, map);
    return map;
  }
}

function inlineMap(source: string | undefined): string | undefined {
  const base64 = source === undefined ? undefined : INLINE_MAP.exec(source)?.[1];
  return base64 === undefined ? undefined : Buffer.from(base64, 'base64').toString('utf8');
}

/** The stack without the core's frames, unless they are all it has (a failure of the core itself). */
function dropCoreFrames(stack: string): string {
  const lines = stack.split('\n');
  const kept = lines.filter((line) => !(line.startsWith('    at ') && line.includes('(eval at ') && CORE_FRAME_END.test(line)));
  return kept.some((line) => line.startsWith('    at ')) ? kept.join('\n') : stack;
}
