import { parsePhoneNumberFromString } from 'libphonenumber-js';

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

/** A number as the hub stores it: E.164, "+" then 7 to 15 digits, no leading zero. */
export const E164 = /^\+[1-9]\d{6,14}$/;

/** A number as a person types it, without its spaces, dashes, dots and brackets: "+49 (151) 234-56" is "+4915123456". */
export function compactPhone(typed: string): string {
  return typed.replace(/[\s().-]/g, '');
}

export interface PhoneView {
  /** As stored (E.164). */
  e164: string;
  /** "+49 151 23456789". */
  formatted: string;
  /** "DE" */
  countryCode?: string;
  /** "Germany" */
  country?: string;
}

/**
 * The country a stored E.164 number belongs to ("DE"), or null. A full parse (about 40 µs): the
 * import stores it with the number (`countryCode`), so downloads of 100,000 rows read it instead.
 */
export function phoneCountry(e164: string): string | null {
  return parsePhoneNumberFromString(e164)?.country ?? null;
}

const countryNames = new Map<string, string | undefined>();

/** A country's English name ("Germany") from its code, or undefined for an unknown one. */
export function countryName(code: string | null | undefined): string | undefined {
  if (!code) return undefined;
  if (!countryNames.has(code)) {
    let name: string | undefined;
    try {
      name = regionNames.of(code);
    } catch {
      name = undefined;
    }
    // Region codes are a bounded set: the import stores only what the parser returns.
    countryNames.set(code, name);
  }
  return countryNames.get(code);
}

/** The number without its country code or trunk prefix ("7912782373" for +447912782373), or undefined. */
export function nationalNumber(e164: string): string | undefined {
  return parsePhoneNumberFromString(e164)?.nationalNumber;
}

// Parsing is the dearest part of a card: each number's view is kept (bounded, a miss re-parses).
const views = new Map<string, PhoneView>();
const MAX_VIEWS = 5_000;

/** A stored E.164 number formatted for people, with the country it belongs to. */
export function phoneView(e164: string): Readonly<PhoneView> {
  let view = views.get(e164);
  if (!view) {
    if (views.size >= MAX_VIEWS) views.clear();
    views.set(e164, (view = Object.freeze(parse(e164))));
  }
  return view;
}

function parse(e164: string): PhoneView {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) return { e164, formatted: e164 };
  const countryCode = parsed.country;
  return { e164, formatted: parsed.formatInternational(), countryCode, country: countryName(countryCode) };
}
