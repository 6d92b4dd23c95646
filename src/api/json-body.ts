import type { IncomingMessage } from 'node:http';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

/**
 * The first name given twice in one object of a JSON text, or undefined. JSON.parse keeps the
 * last of them and a proxy or a log may read the first (`{"dry_run":true,"dry_run":false}`), so
 * such a body is refused rather than guessed at (RFC 8259 §4: names SHOULD be unique). Names are
 * compared decoded ("\u0064ry_run" is dry_run). A text that is not JSON gives whatever it gives:
 * the parser refuses it next.
 */
export function firstDuplicateKey(text: string): string | undefined {
  // One entry per open object (the names seen so far) or array (null).
  const open: (Set<string> | null)[] = [];
  let atName = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      let end = i + 1;
      let escaped = false;
      while (end < text.length) {
        const d = text.charCodeAt(end);
        if (d === QUOTE) break;
        if (d === BACKSLASH) {
          escaped = true;
          end++;
        }
        end++;
      }
      const names = open[open.length - 1];
      if (atName && names) {
        let name = text.slice(i + 1, end);
        if (escaped) {
          try {
            name = JSON.parse(text.slice(i, end + 1)) as string;
          } catch {
            return undefined;
          }
        }
        if (names.has(name)) return name;
        names.add(name);
        atName = false;
      }
      i = end;
    } else if (c === OPEN_OBJECT) {
      open.push(new Set());
      atName = true;
    } else if (c === OPEN_ARRAY) {
      open.push(null);
      atName = false;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      open.pop();
      atName = false;
    } else if (c === COMMA) {
      atName = !!open[open.length - 1];
    }
  }
  return undefined;
}

/** What the JSON parser's `verify` throws for a body that names a field twice; the API's filter answers 422. */
export class DuplicateJsonKey extends Error {
  readonly status = 422;
  readonly type = 'entity.duplicate.key';
  constructor(readonly key: string) {
    super(`The body gives "${key.slice(0, 40)}" more than once.`);
  }
}

/** The API's JSON parsers' `verify`: a body that names a field twice in one object is refused. */
export function refuseDuplicateKeys(_req: IncomingMessage, _res: unknown, body: Buffer): void {
  const key = firstDuplicateKey(body.toString('utf8'));
  if (key !== undefined) throw new DuplicateJsonKey(key);
}
