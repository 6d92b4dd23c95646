/** Any origin would do: only whether a value leaves it matters. `.invalid` never resolves. */
const BASE = new URL('http://hub.invalid');

const MAX_LENGTH = 2000;

/** Whitespace, control and invisible format characters: header splitting, or a path that is not what it shows. */
const UNSAFE_CHAR = /[\s\p{Cc}\p{Cf}\\]/u;

/**
 * The value with every layer of percent-encoding removed (`%252F` → `%2F` → `/`), or undefined
 * when an escape is malformed. A browser or proxy may decode once more than we did, so the
 * checks look at what the value could become, not only at what it is.
 */
function fullyDecoded(value: string): string | undefined {
  let current = value;
  for (;;) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return undefined;
    }
    // Each round that changes the string shortens it, so this ends.
    if (next === current) return current;
    current = next;
  }
}

/** Starts with exactly one slash: `/path`, never `//host` (protocol-relative) nor `/\host`. */
const isPathAbsolute = (value: string) => value.startsWith('/') && !value.startsWith('//');

/** Control and invisible format characters, in a query once decoded: what a header or a search box should never get. */
const UNSAFE_QUERY_CHAR = /[\p{Cc}\p{Cf}]/u;

/**
 * A query is kept as it was sent when its escapes are well formed and, decoded once (as the
 * page reading it will), hold no control or format character. Only the path decides where a
 * browser goes, so only the path is decoded to the end: in the query, `%20` is a space a search
 * typed and `%25` a percent sign, not a layer of encoding to look under.
 */
function safeQuery(query: string): boolean {
  if (UNSAFE_CHAR.test(query)) return false;
  try {
    return !UNSAFE_QUERY_CHAR.test(decodeURIComponent(query.replace(/\+/g, ' ')));
  } catch {
    return false;
  }
}

/**
 * The value as a path and query on this site, safe to redirect to (after sign-in, a "back"
 * link), or undefined. Anything that could lead off the site once a browser reads it (another
 * host, a scheme, backslashes that browsers read as slashes, encoded forms of these in the
 * path) or split a header (control characters, raw or encoded) is refused rather than
 * repaired. The fragment is dropped: it never reaches the server, so nothing asked for it.
 */
export function safeLocalPath(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_LENGTH) return undefined;
  const [path, query] = splitQuery(value.split('#', 1)[0]);
  const decoded = fullyDecoded(path);
  if (decoded === undefined || !isPathAbsolute(path) || !isPathAbsolute(decoded)) return undefined;
  if (UNSAFE_CHAR.test(decoded) || (query !== undefined && !safeQuery(query))) return undefined;
  const url = new URL(value, BASE);
  if (url.origin !== BASE.origin) return undefined;
  // Dot segments are resolved only here (`/.//host`, `/%2e%2e//host` → `//host`): the result is
  // checked again, or a value that passed as a path would leave the site once resolved.
  const local = url.pathname + url.search;
  return isPathAbsolute(local) ? local : undefined;
}

/** The path and the query after the first `?` (undefined without one). */
function splitQuery(value: string): [string, string | undefined] {
  const at = value.indexOf('?');
  return at < 0 ? [value, undefined] : [value.slice(0, at), value.slice(at + 1)];
}
