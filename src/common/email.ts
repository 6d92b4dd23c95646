import { domainToASCII } from 'node:url';

/**
 * One canonical form per email address, so that an address that looks the same is the same
 * person: trimmed, NFC, lower case, the domain in its IDNA (punycode) form. Addresses that
 * could look like another one are refused rather than silently repaired (see emailProblem).
 */

export const MAX_EMAIL_LENGTH = 254;

// Trim Unicode white space only: String#trim would also drop U+FEFF, which must be refused.
const EDGE_SPACE = /^\p{White_Space}+|\p{White_Space}+$/gu;
const CONTROL = /\p{Cc}/u;
const DIRECTION = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
// Zero-width and other invisible characters (soft hyphen, joiners, BOM, variation selectors,
// tags…), any other format character, and private-use, unassigned or lone surrogate code points.
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\p{Cf}\p{Co}\p{Cn}\p{Cs}]/u;
// The shape the app has always accepted: one @, a dot in the domain, nothing that breaks a header.
const SHAPE = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/u;
const LOOKALIKE_SCRIPTS = [/\p{Script=Latin}/u, /\p{Script=Cyrillic}/u, /\p{Script=Greek}/u];

const trim = (raw: string) => raw.replace(EDGE_SPACE, '');
const hasForbidden = (s: string) => CONTROL.test(s) || DIRECTION.test(s) || INVISIBLE.test(s);

/** Splits at the last @ (the domain never holds one). */
function split(address: string): { local: string; domain: string } | null {
  const at = address.lastIndexOf('@');
  return at < 0 ? null : { local: address.slice(0, at), domain: address.slice(at + 1) };
}

/** The domain's ASCII form, or '' when IDNA refuses it. */
function asciiDomain(domain: string): string {
  // IDNA silently drops some invisible characters (soft hyphen, U+200B, U+FEFF): such a domain
  // is refused, and kept as typed for lookups so that it matches no one.
  if (hasForbidden(domain)) return '';
  return domainToASCII(domain);
}

/**
 * The canonical form of an address, for storing and for lookups. Never throws. An address that
 * emailProblem refuses keeps its odd characters, so it matches no stored (canonical) address.
 */
export function canonicalEmail(raw: string): string {
  const address = trim(String(raw ?? ''));
  const parts = split(address);
  if (!parts) return address.toLowerCase().normalize('NFC');
  const local = parts.local.toLowerCase().normalize('NFC');
  const domain = parts.domain.toLowerCase().normalize('NFC');
  return `${local}@${asciiDomain(domain) || domain}`;
}

/** Why an address is refused, as the sentence the user sees; null when it is fine. */
export function emailProblem(raw: string): string | null {
  const address = trim(String(raw ?? ''));
  if (!address) return 'Email is required.';
  // A cheap bound before any pattern runs; the exact one is on the canonical form below.
  if (address.length > 4 * MAX_EMAIL_LENGTH) return `Email must be at most ${MAX_EMAIL_LENGTH} characters.`;
  // Line breaks and other control characters (header injection): simply not an address.
  if (CONTROL.test(address)) return 'Enter a valid email address.';
  if (DIRECTION.test(address)) return 'Email must not contain text-direction characters.';
  if (INVISIBLE.test(address)) return 'Email must not contain invisible characters such as zero-width spaces.';
  const canonical = canonicalEmail(address);
  const parts = split(canonical);
  if (!parts || !SHAPE.test(canonical)) return 'Enter a valid email address.';
  const ascii = asciiDomain(parts.domain);
  if (!ascii || ascii.split('.').some((label) => label === '')) return 'Enter a valid email address.';
  // Full-width, ligature or styled letters (ａ, ﬁ, 𝐚) are look-alikes of plain ones. The domain
  // needs no such rule: IDNA maps them to the plain letters.
  if (parts.local.normalize('NFKC') !== parts.local) return 'Email must not contain full-width or styled letters.';
  // A local part mixing Latin with Cyrillic or Greek letters (Cyrillic "а" in "аdmin") is
  // there to look like another address.
  if (LOOKALIKE_SCRIPTS.filter((script) => script.test(parts.local)).length > 1) {
    return 'Email must not mix Latin, Cyrillic or Greek letters before the @.';
  }
  if (canonical.length > MAX_EMAIL_LENGTH) return `Email must be at most ${MAX_EMAIL_LENGTH} characters.`;
  return null;
}
