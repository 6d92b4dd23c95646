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
