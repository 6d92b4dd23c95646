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

/** A stored E.164 number formatted for people, with the country it belongs to. */
export function phoneView(e164: string): PhoneView {
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
