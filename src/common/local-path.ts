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

/**
 * The value as a path and query on this site, safe to redirect to (after sign-in, a "back"
 * link), or undefined. Anything that could lead off the site once a browser reads it (another
 * host, a scheme, backslashes that browsers read as slashes, encoded forms of these) or split a
 * header (control characters, raw or encoded) is refused rather than repaired. The fragment is
 * dropped: it never reaches the server, so nothing asked for it.
 */
export function safeLocalPath(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_LENGTH) return undefined;
  const decoded = fullyDecoded(value);
  if (decoded === undefined || !isPathAbsolute(value) || !isPathAbsolute(decoded)) return undefined;
  if (UNSAFE_CHAR.test(decoded)) return undefined;
  const url = new URL(value, BASE);
  if (url.origin !== BASE.origin) return undefined;
  // Dot segments are resolved only here (`/.//host`, `/%2e%2e//host` → `//host`): the result is
  // checked again, or a value that passed as a path would leave the site once resolved.
  const local = url.pathname + url.search;
  return isPathAbsolute(local) ? local : undefined;
}
