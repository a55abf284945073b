/**
 * Checks a v8 serializer payload against the decoding limits before v8 reads it, so that decoding a
 * message from below costs what its bytes cost. v8's deserializer trusts the lengths it reads: a
 * 13-byte sparse array of length 2^25 - 1 makes it allocate and fill 256 MiB (750 ms here), a dense
 * array allocates its declared length before reading its elements, and a nesting 10,000 deep exhausts
 * the stack. This pass parses the whole format once (recursively over the nesting, which it bounds, and
 * never allocating per declared length) and refuses what would cost more than the bytes:
 *
 * 1. Nesting deeper than MAX_DEPTH containers.
 * 2. Sparse arrays (and resizable ArrayBuffers' reserve) whose declared lengths sum to more than the
 *    payload's size plus DECLARED_ALLOWANCE; an array property that would make an array longer than the
 *    length it declared (`length`, or an index at or past it).
 * 3. Anything it does not parse exactly as v8 15 does (the version Node 20 to 24 write): another
 *    version, a tag @x/remote never sends (transferred or shared buffers, wasm, object-count checks),
 *    an over-long varint, a truncated value. Being stricter than v8 is safe; parsing differently is not,
 *    so a construct is accepted only where this parse and v8's cannot disagree.
 *
 * Dense arrays, strings, buffers, maps and sets cannot claim more than their bytes once every element
 * was parsed here. The pass also says whether any object carries the tag key, so a payload without one
 * (most of them) skips the reviver's walk entirely.
 */
import { MAX_DEPTH, PayloadRefusal } from './payload-error.js';

/** Declared but uncarried elements (sparse array holes) a payload may hold beyond one per byte. */
export const DECLARED_ALLOWANCE = 4096;

/** The v8 serializer format version this parse follows. */
export const FORMAT_VERSION = 15;

// Tags of the v8 serializer (src/objects/value-serializer.cc).
const PADDING = 0x00;
const HOLE = 0x2d; // '-'
const UNDEFINED = 0x5f; // '_'
const NULL = 0x30; // '0'
const TRUE = 0x54; // 'T'
const FALSE = 0x46; // 'F'
const INT32 = 0x49; // 'I'
const UINT32 = 0x55; // 'U'
const DOUBLE = 0x4e; // 'N'
const BIGINT = 0x5a; // 'Z'
const UTF8_STRING = 0x53; // 'S'
const ONE_BYTE_STRING = 0x22; // '"'
const TWO_BYTE_STRING = 0x63; // 'c'
const REFERENCE = 0x5e; // '^'
const BEGIN_OBJECT = 0x6f; // 'o'
const END_OBJECT = 0x7b; // '{'
const BEGIN_SPARSE = 0x61; // 'a'
const END_SPARSE = 0x40; // '@'
const BEGIN_DENSE = 0x41; // 'A'
const END_DENSE = 0x24; // '$'
const DATE = 0x44; // 'D'
const TRUE_OBJECT = 0x79; // 'y'
const FALSE_OBJECT = 0x78; // 'x'
const NUMBER_OBJECT = 0x6e; // 'n'
const BIGINT_OBJECT = 0x7a; // 'z'
const STRING_OBJECT = 0x73; // 's'
const REGEXP = 0x52; // 'R'
const BEGIN_MAP = 0x3b; // ';'
const END_MAP = 0x3a; // ':'
const BEGIN_SET = 0x27; // "'"
const END_SET = 0x2c; // ','
const ARRAY_BUFFER = 0x42; // 'B'
const RESIZABLE_ARRAY_BUFFER = 0x7e; // '~'
const ARRAY_BUFFER_VIEW = 0x56; // 'V'
const ERROR = 0x72; // 'r'
const HOST_OBJECT = 0x5c; // '\\': Node's typed arrays and Buffers (lib/v8.js _readHostObject)

// Error sub-tags.
const ERROR_PROTOTYPES = new Set([0x45, 0x52, 0x46, 0x53, 0x54, 0x55]); // E R F S T U
const ERROR_MESSAGE = 0x6d; // 'm'
const ERROR_STACK = 0x73; // 's'
const ERROR_CAUSE = 0x63; // 'c'
const ERROR_END = 0x2e; // '.'

const MAX_ARRAY_INDEX = 0xfffffffe;

/** What a value turned out to be, as far as a following view tag cares. */
const OTHER = 0;
const BUFFER = 1;

class Scan {
  readonly bytes: Buffer;
  pos = 2;
  /** Ids v8 gives objects, in the order it gives them; needed to know which references are ArrayBuffers. */
  nextId = 0;
  bufferIds: Set<number> | undefined;
  /** Declared lengths still allowed. */
  declared: number;
  /** The tag key's two UTF-16 code units, and whether an object had it as a key. */
  readonly tag0: number;
  readonly tag1: number;
  tagged = false;
  /** Whether any value is a reference to an earlier one (without, the payload is a tree). */
  shared = false;

  constructor(bytes: Buffer, tagKey: string) {
    this.bytes = bytes;
    this.declared = bytes.length + DECLARED_ALLOWANCE;
    this.tag0 = tagKey.charCodeAt(0);
    this.tag1 = tagKey.charCodeAt(1);
  }

  truncated(): never {
    throw new PayloadRefusal('format', `it ends inside a value (${this.bytes.length} bytes)`);
  }

  /** The next tag, skipping padding, without consuming it; -1 at the end. */
  peek(): number {
    const bytes = this.bytes;
    for (let at = this.pos; at < bytes.length; at++) {
      const tag = bytes[at]!;
      if (tag !== PADDING) return tag;
    }
    return -1;
  }

  tag(): number {
    const bytes = this.bytes;
    while (this.pos < bytes.length) {
      const tag = bytes[this.pos++]!;
      if (tag !== PADDING) return tag;
    }
    return this.truncated();
  }

  /** A uint32 varint; over-long encodings (which v8 would truncate) are refused. */
  varint(): number {
    const bytes = this.bytes;
    let pos = this.pos;
    // Unrolled: a byte past the end reads as undefined, which ends the chain and is caught below.
    let byte = bytes[pos++]!;
    let value = byte & 0x7f;
    if (byte >= 0x80) {
      byte = bytes[pos++]!;
      value |= (byte & 0x7f) << 7;
      if (byte >= 0x80) {
        byte = bytes[pos++]!;
        value |= (byte & 0x7f) << 14;
        if (byte >= 0x80) {
          byte = bytes[pos++]!;
          value |= (byte & 0x7f) << 21;
          if (byte >= 0x80) {
            byte = bytes[pos++]!;
            if (byte > 0x0f) throw new PayloadRefusal('format', `a varint at byte ${this.pos} is longer than 32 bits`);
            value = (value >>> 0) + byte * 2 ** 28;
          }
        }
      }
    }
    if (pos > bytes.length) this.truncated();
    this.pos = pos;
    return value;
  }

  /** Skips a number if one is next (the bulk of large payloads), without the general dispatch. */
  number(): boolean {
    const tag = this.bytes[this.pos];
    if (tag === DOUBLE) {
      this.skip(9);
      return true;
    }
    if (tag === INT32 || tag === UINT32) {
      this.pos++;
      this.varint();
      return true;
    }
    return false;
  }

  skip(length: number): void {
    if (length > this.bytes.length - this.pos) this.truncated();
    this.pos += length;
  }

  /** Skips a string's contents; returns its start. */
  stringBody(tag: number): number {
    const length = this.varint();
    if (tag === TWO_BYTE_STRING && length % 2 !== 0) throw new PayloadRefusal('format', 'a two-byte string has an odd byte length');
    const start = this.pos;
    this.skip(length);
    return start;
  }

  /** A value that v8 reads with ReadString (a RegExp's source, a String object, an error's message). */
  string(): void {
    const tag = this.tag();
    if (tag !== ONE_BYTE_STRING && tag !== TWO_BYTE_STRING && tag !== UTF8_STRING) throw new PayloadRefusal('format', `a string was expected at byte ${this.pos - 1}`);
    this.stringBody(tag);
  }

  value(depth: number): void {
    if (this.inner(depth) === BUFFER && this.peek() === ARRAY_BUFFER_VIEW) {
      // v8 reads a view tag right after any value that is an ArrayBuffer, a reference to one included.
      this.tag();
      if (this.varint() > 0xff) throw new PayloadRefusal('format', 'a view type is longer than a byte');
      this.varint(); // offset
      this.varint(); // length
      this.varint(); // flags (format 14 and later)
      this.nextId++;
    }
  }

  inner(depth: number): number {
    const tag = this.tag();
    switch (tag) {
      case UNDEFINED:
      case NULL:
      case TRUE:
      case FALSE:
        return OTHER;
      case INT32:
      case UINT32:
        this.varint();
        return OTHER;
      case DOUBLE:
        this.skip(8);
        return OTHER;
      case BIGINT:
        this.bigint();
        return OTHER;
      case ONE_BYTE_STRING:
      case TWO_BYTE_STRING:
      case UTF8_STRING:
        this.stringBody(tag);
        return OTHER;
      case REFERENCE: {
        const id = this.varint();
        if (id >= this.nextId) throw new PayloadRefusal('format', `a reference to object ${id} comes before the object`);
        this.shared = true;
        return this.bufferIds?.has(id) === true ? BUFFER : OTHER;
      }
      case BEGIN_OBJECT:
        this.nest(depth);
        this.nextId++;
        this.properties(depth, END_OBJECT, -1);
        this.varint();
        return OTHER;
      case BEGIN_SPARSE: {
        const length = this.varint();
        this.nest(depth);
        this.declared -= length;
        if (this.declared < 0) {
          throw new PayloadRefusal('length', `a sparse array declares ${length} elements, more than a payload of ${this.bytes.length} bytes may (send a Map or an object for sparse data)`);
        }
        this.nextId++;
        this.properties(depth, END_SPARSE, length);
        this.varint();
        this.varint();
        return OTHER;
      }
      case BEGIN_DENSE: {
        const length = this.varint();
        this.nest(depth);
        // Every element takes at least a byte: v8 checks this too, but allocates before reading them.
        if (length > this.bytes.length - this.pos) this.truncated();
        this.nextId++;
        for (let index = 0; index < length; index++) {
          if (this.number()) continue;
          if (this.peek() === HOLE) this.tag();
          else this.value(depth + 1);
        }
        this.properties(depth, END_DENSE, length);
        this.varint();
        this.varint();
        return OTHER;
      }
      case DATE:
        this.skip(8);
        this.nextId++;
        return OTHER;
      case TRUE_OBJECT:
      case FALSE_OBJECT:
        this.nextId++;
        return OTHER;
      case NUMBER_OBJECT:
        this.nextId++;
        this.skip(8);
        return OTHER;
      case BIGINT_OBJECT:
        this.nextId++;
        this.bigint();
        return OTHER;
      case STRING_OBJECT:
        this.nextId++;
        this.string();
        return OTHER;
      case REGEXP:
        this.nextId++;
        this.string();
        this.varint();
        return OTHER;
      case BEGIN_MAP:
      case BEGIN_SET: {
        this.nest(depth);
        this.nextId++;
        const end = tag === BEGIN_MAP ? END_MAP : END_SET;
        for (let next = this.peek(); next !== end; next = this.peek()) {
          if (next < 0) this.truncated();
          if (!this.number()) this.value(depth + 1);
          if (tag === BEGIN_MAP && !this.number()) this.value(depth + 1);
        }
        this.tag();
        this.varint();
        return OTHER;
      }
      case ARRAY_BUFFER:
      case RESIZABLE_ARRAY_BUFFER: {
        const id = this.nextId++;
        const length = this.varint();
        if (tag === RESIZABLE_ARRAY_BUFFER) {
          const max = this.varint();
          // The reserve is address space v8 sets aside for growth: it counts as declared length.
          if (max > length) this.declared -= max - length;
          if (this.declared < 0) throw new PayloadRefusal('length', `a resizable ArrayBuffer reserves ${max} bytes, more than a payload of ${this.bytes.length} bytes may`);
        }
        this.skip(length);
        (this.bufferIds ??= new Set()).add(id);
        return BUFFER;
      }
      case ERROR:
        this.nest(depth);
        this.nextId++;
        this.error(depth);
        return OTHER;
      case HOST_OBJECT:
        this.nextId++;
        this.varint(); // the view's type
        this.skip(this.varint());
        return OTHER;
      default:
        throw new PayloadRefusal('format', `tag 0x${tag.toString(16)} at byte ${this.pos - 1} is not one @x/remote sends`);
    }
  }

  nest(depth: number): void {
    if (depth >= MAX_DEPTH) throw new PayloadRefusal('depth', `it nests values deeper than ${MAX_DEPTH} levels`);
  }

  bigint(): void {
    const bitfield = this.varint();
    // Bit 0 is the sign, bits 1 to 30 the byte length; a set bit 31 would be read differently by v8 versions.
    if (bitfield >= 0x80000000) throw new PayloadRefusal('format', 'a BigInt declares an impossible length');
    this.skip(bitfield >>> 1);
  }

  error(depth: number): void {
    for (;;) {
      const tag = this.varint();
      if (tag === ERROR_END) return;
      if (tag === ERROR_MESSAGE || tag === ERROR_STACK) this.string();
      else if (tag === ERROR_CAUSE) this.value(depth + 1);
      else if (!ERROR_PROTOTYPES.has(tag)) throw new PayloadRefusal('format', `error field 0x${tag.toString(16)} is unknown`);
    }
  }

  /**
   * An object's or array's properties up to `end`. For an array (`length` >= 0) a key that would
   * lengthen it is refused: `length` itself, or an index at or past the declared length.
   */
  properties(depth: number, end: number, length: number): void {
    const bytes = this.bytes;
    for (;;) {
      const tag = this.tag();
      if (tag === end) return;
      let index = -1;
      switch (tag) {
        case ONE_BYTE_STRING:
        case TWO_BYTE_STRING:
        case UTF8_STRING: {
          const start = this.stringBody(tag);
          const size = this.pos - start;
          if (length < 0) {
            if (tag === TWO_BYTE_STRING ? size === 4 && bytes[start] === this.tag0 && bytes[start + 1] === 0 && bytes[start + 2] === this.tag1 && bytes[start + 3] === 0 : size === 2 && bytes[start] === this.tag0 && bytes[start + 1] === this.tag1) {
              this.tagged = true;
            }
          } else if (size <= 20) {
            const key = bytes.toString(tag === TWO_BYTE_STRING ? 'utf16le' : tag === ONE_BYTE_STRING ? 'latin1' : 'utf8', start, this.pos);
            if (key === 'length') throw new PayloadRefusal('length', 'an array carries a `length` property');
            if (/^(?:0|[1-9]\d{0,9})$/.test(key)) index = Number(key);
          }
          break;
        }
        case INT32: {
          const zigzag = this.varint();
          if (zigzag % 2 === 0) index = zigzag / 2;
          break;
        }
        case UINT32:
          index = this.varint();
          break;
        case DOUBLE: {
          if (this.pos + 8 > bytes.length) this.truncated();
          const number = bytes.readDoubleLE(this.pos);
          this.pos += 8;
          if (Number.isInteger(number) && number >= 0) index = number;
          break;
        }
        default:
          throw new PayloadRefusal('format', `a property key at byte ${this.pos - 1} is not a string or a number`);
      }
      if (length >= 0 && index >= length && index <= MAX_ARRAY_INDEX) {
        throw new PayloadRefusal('length', `an array of length ${length} carries an element at index ${index}`);
      }
      if (!this.number()) this.value(depth + 1);
    }
  }
}

/** checkPayload's result: an object has the tag key (the reviver must walk the value). */
export const TAGGED = 1;
/** checkPayload's result: a value refers to an earlier one (the walk must remember what it visited). */
export const SHARED = 2;

/**
 * Checks `bytes` (one v8 serializer payload) against the decoding limits. Returns TAGGED when an object
 * has `tagKey` (two characters below U+0080, codec.ts's TAG) as a key, plus SHARED when the payload
 * holds references.
 * @throws PayloadRefusal when v8 reading it would cost more than its size, or could read it otherwise.
 */
export function checkPayload(bytes: Buffer, tagKey: string): number {
  if (bytes.length < 3 || bytes[0] !== 0xff || bytes[1] !== FORMAT_VERSION) {
    const got = bytes.length < 2 ? 'too short' : bytes[0] !== 0xff ? 'no header' : `format version ${bytes[1]}`;
    throw new PayloadRefusal('format', `it is not v8 serializer format ${FORMAT_VERSION} (${got}): both ends must run Node 20 or later`);
  }
  const scan = new Scan(bytes, tagKey);
  scan.value(0);
  return (scan.tagged ? TAGGED : 0) | (scan.shared ? SHARED : 0);
}
