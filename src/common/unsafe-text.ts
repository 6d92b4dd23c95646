/**
 * Characters no name or label of the hub may hold (forms and imported provider data alike):
 * control characters (line breaks included: headers, CSV rows), text-direction overrides,
 * embeddings and isolates (a name that displays differently from what it is), and invisible
 * characters that make two names look the same (zero-width space, word joiner, soft hyphen,
 * byte order mark). Kept: the zero-width joiners that scripts and emoji need, and the
 * direction marks (LRM, RLM, ALM) that right-to-left names carry.
 */
export const UNSAFE_TEXT = /[\u0000-\u001f\u007f\u00ad\u200b\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;
