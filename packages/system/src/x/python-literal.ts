// The values of an INI inventory: Ansible reads each with Python's ast.literal_eval and keeps the text
// when that fails, so `ansible_port=2222` is the number 2222, `x='a b'` the string a b, `[1, 'a']` a
// list and `ansible_become=true` the string "true" (Python spells the boolean True).

/**
 * The value of `text` as Python's `ast.literal_eval` gives it (numbers, quoted strings, True, False,
 * None, lists, tuples and dicts of those), or `text` itself when it is not such a literal.
 *
 * @example
 * pythonLiteral('2222'); // 2222
 * pythonLiteral("'a b'"); // 'a b'
 * pythonLiteral('10.0.0.5'); // '10.0.0.5'
 */
export function pythonLiteral(text: string): unknown {
  try {
    const reader = new Reader(text);
    const value = reader.value();
    reader.space();
    return reader.at < text.length ? text : value;
  } catch (error) {
    if (error instanceof NotALiteral) return text;
    throw error;
  }
}

class NotALiteral extends Error {}

const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v', '0': '\0', '\n': '' };

class Reader {
  at = 0;
  constructor(readonly text: string) {}

  space(): void {
    while (this.at < this.text.length && /[ \t]/.test(this.text[this.at]!)) this.at++;
  }

  value(): unknown {
    this.space();
    const char = this.text[this.at];
    if (char === '[') return this.sequence(']');
    if (char === '(') return this.sequence(')');
    if (char === '{') return this.dict();
    if (char === "'" || char === '"') return this.string();
    const word = /^(?:True|False|None)\b/.exec(this.text.slice(this.at));
    if (word) {
      this.at += word[0].length;
      return word[0] === 'True' ? true : word[0] === 'False' ? false : null;
    }
    return this.number();
  }

  number(): number {
    const match = /^[+-]?(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*)?\.?\d[\d_]*(?:[eE][+-]?\d+)?|\d[\d_]*\.)/.exec(this.text.slice(this.at));
    if (!match) throw new NotALiteral();
    const literal = match[0].replaceAll('_', '');
    const sign = literal.startsWith('-') ? -1 : 1;
    const digits = literal.replace(/^[+-]/, '');
    // Python 3 refuses a decimal integer with a leading zero (an old octal spelling): 022 stays text.
    if (/^0\d/.test(digits) && !/[.eE]/.test(digits)) throw new NotALiteral();
    const radix = /^0[xX]/.test(digits) ? 16 : /^0[oO]/.test(digits) ? 8 : /^0[bB]/.test(digits) ? 2 : 10;
    this.at += match[0].length;
    return sign * (radix === 10 ? Number(digits) : Number.parseInt(digits.slice(2), radix));
  }

  string(): string {
    const quote = this.text[this.at]!;
    let out = '';
    this.at++;
    while (this.at < this.text.length && this.text[this.at] !== quote) {
      const char = this.text[this.at]!;
      if (char === '\\') {
        const next = this.text[this.at + 1] ?? '';
        const hex = /^(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4}))/.exec(this.text.slice(this.at + 1));
        if (hex) {
          out += String.fromCharCode(Number.parseInt(hex[1] ?? hex[2]!, 16));
          this.at += 1 + hex[0].length;
          continue;
        }
        // An unknown escape keeps its backslash in Python.
        out += escapes[next] ?? `\\${next}`;
        this.at += 2;
        continue;
      }
      out += char;
      this.at++;
    }
    if (this.at >= this.text.length) throw new NotALiteral();
    this.at++;
    return out;
  }

  sequence(close: string): unknown[] {
    this.at++;
    const items: unknown[] = [];
    for (;;) {
      this.space();
      if (this.text[this.at] === close) break;
      items.push(this.value());
      this.space();
      if (this.text[this.at] === ',') this.at++;
      else if (this.text[this.at] !== close) throw new NotALiteral();
    }
    this.at++;
    return items;
  }

  dict(): Record<string, unknown> {
    this.at++;
    const out: Record<string, unknown> = {};
    for (;;) {
      this.space();
      if (this.text[this.at] === '}') break;
      const key = this.value();
      this.space();
      if (this.text[this.at] !== ':') throw new NotALiteral();
      this.at++;
      out[String(key)] = this.value();
      this.space();
      if (this.text[this.at] === ',') this.at++;
      else if (this.text[this.at] !== '}') throw new NotALiteral();
    }
    this.at++;
    return out;
  }
}
