/**
 * Characters no name or label of the hub may hold (forms and imported provider data alike):
 * control characters (line breaks included: headers, CSV rows), text-direction overrides,
 * embeddings and isolates (a name that displays differently from what it is), and invisible
 * characters that make two names look the same (zero-width space, word joiner, soft hyphen,
 * byte order mark). Kept: the zero-width joiners that scripts and emoji need, and the
 * direction marks (LRM, RLM, ALM) that right-to-left names carry.
 */
export const UNSAFE_TEXT = /[\u0000-\u001f\u007f\u00ad\u200b\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;

/**
 * The same for a text of several lines a person writes (a revocation's reason): tabs and line
 * breaks are its own, every other character UNSAFE_TEXT refuses is refused.
 */
export const UNSAFE_NOTE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u00ad\u200b\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;

/**
 * Control characters other than tabs and line breaks (which a search reads as spaces): what no
 * search box sends, NUL among them (PostgreSQL cannot compare it).
 */
export const CONTROL_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
