/**
 * Latin letters that Unicode does not decompose into a base letter and an accent, spelled as
 * someone without the key types them. Greek final sigma joins σ: JavaScript lower-cases Σ by
 * its place in the word, so the same word could otherwise fold two ways.
 */
const LETTERS: Readonly<Record<string, string>> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
  ħ: 'h',
  ŧ: 't',
  ƒ: 'f',
  ς: 'σ',
};
const LETTER = new RegExp(`[${Object.keys(LETTERS).join('')}]`, 'g');

/**
 * The combining accents of Latin, Greek and Cyrillic letters. Other marks (Indic vowel signs,
 * the kana voicing marks) are part of the letter and stay.
 */
const ACCENTS = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/g;

/**
 * Text as search compares it, on SQLite and PostgreSQL alike: lower case, without accents
 * ("Café Lumière" → "cafe lumiere", "Łódź" → "lodz", "Straße" → "strasse"), compatibility
 * forms spelled plainly ("ﬁ" → "fi", full-width digits → digits) and whitespace runs as one
 * space. Both sides of a search are folded: the stored search text and the term typed.
 * NFC at the end puts back together what the decomposition split and the accents left
 * (Hangul syllables, kana with voicing marks).
 * A change here changes what is stored: it needs a migration that refolds search_text.
 */
export function foldForSearch(text: string): string {
  return text
    .normalize('NFKD')
    .toLowerCase()
    .replace(ACCENTS, '')
    .normalize('NFC')
    .replace(LETTER, (c) => LETTERS[c])
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The text a number is found by, folded (foldForSearch): its phone digits, display name,
 * client name, contact email and every id it carries (number provider and external id, WABA
 * provider and external id and namespace, client provider id). The import keeps it in step
 * with its sources.
 */
export function searchTextFor(parts: {
  phoneNumber: string;
  displayName?: string | null;
  clientName: string;
  contactEmail?: string | null;
  ids: (string | null | undefined)[];
}): string {
  return foldForSearch(
    [parts.phoneNumber.replace(/\D/g, ''), parts.displayName, parts.clientName, parts.contactEmail, ...parts.ids]
      .filter((p): p is string => !!p)
      .join(' '),
  );
}

/**
 * Digits only when the term looks like a phone number in any format ("+49 151 / 234-5"). A
 * national form ("0151 …") or an international prefix ("0049 …") loses its leading zeros,
 * so it still matches the stored E.164 digits. Any other term is folded as the stored search
 * text is (case and accents: "CAFÉ" finds "cafe").
 */
export function searchTerm(q: string): string {
  if (!looksLikePhone(q)) return foldForSearch(q);
  const digits = q.replace(/\D/g, '');
  if (q.trimStart().startsWith('+')) return digits;
  return digits.replace(/^0+/, '') || digits;
}

const looksLikePhone = (q: string) => /^[\d\s()+./-]+$/.test(q) && /\d/.test(q);

/** Words of a search matched, at most: of a longer search, its longest words (the LIKEs of a query stay few). */
export const MAX_SEARCH_WORDS = 8;

/** A word of a phone number's punctuation only ("/", "-", "+"): the search text holds a phone's digits alone. */
const PHONE_PUNCTUATION = /^[()+./-]+$/;

/**
 * What a search looks for, each anywhere in a number's search text. A phone number in any
 * format is one term, its digits. Other searches match word by word in any order ("lumiere
 * cafe", "pampa 0151 / 234"), each word read as searchTerm reads a term. Left out: a word of
 * phone punctuation beside other words, a word inside another one of the search, and past
 * MAX_SEARCH_WORDS the shortest words (which only ever finds more numbers, never fewer).
 */
export function searchTerms(q: string): string[] {
  if (looksLikePhone(q)) return [searchTerm(q)];
  const typed = q.split(/\s+/).filter(Boolean);
  const meant = typed.filter((w) => !PHONE_PUNCTUATION.test(w));
  const words = [...new Set((meant.length ? meant : typed).map(searchTerm))].filter(Boolean);
  const kept = words.filter((w) => !words.some((other) => other !== w && other.includes(w)));
  if (kept.length <= MAX_SEARCH_WORDS) return kept;
  const longest = new Set([...kept].sort((a, b) => b.length - a.length).slice(0, MAX_SEARCH_WORDS));
  return kept.filter((w) => longest.has(w));
}
