import { parsePhoneNumberFromString } from 'libphonenumber-js';

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

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
  let country: string | undefined;
  try {
    country = countryCode ? regionNames.of(countryCode) : undefined;
  } catch {
    country = undefined;
  }
  return { e164, formatted: parsed.formatInternational(), countryCode, country };
}
