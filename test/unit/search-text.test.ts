import { describe, expect, it } from 'vitest';
import { foldV2, searchTextV2 } from '../../migrations/sqlite/Migration20261130140000';
import { foldForSearch, searchTextFor } from '../../src/accounts/search-text';

const EXAMPLES: [string, string][] = [
  ['Café Lumière', 'cafe lumiere'],
  ['Łódź', 'lodz'],
  ['Straße', 'strasse'],
  ['ÆRØ', 'aero'],
  ['GROẞE STRASSE', 'grosse strasse'],
  ['Œuvre Cœur', 'oeuvre coeur'],
  ['Øresund Ærø', 'oresund aero'],
  ['Đorđe Ðáni', 'dorde dani'],
  ['Þórshöfn', 'thorshofn'],
  ['Iıİ', 'iii'],
  ['Ħamrun Ŧest', 'hamrun test'],
  ['Müller & Söhne', 'muller & sohne'],
  ['Tiếng Việt', 'tieng viet'],
  ['São Paulo ÇA Ñandú', 'sao paulo ca nandu'],
  ['Ёлка Йошкар-Ола', 'елка иошкар-ола'],
  ['ΟΔΟΣ Αθηνών', 'οδοσ αθηνων'],
  // Accents written as separate combining characters fold like the composed ones.
  ['Cafe\u0301 Lumie\u0300re', 'cafe lumiere'],
  // Compatibility forms: ligatures, full-width letters and digits, the no-break space.
  ['ﬁne ＡＢＣ １２３\u00a0x', 'fine abc 123 x'],
  ['  several \t spaces\n\nand lines  ', 'several spaces and lines'],
];

describe('folding text for search', () => {
  it.each(EXAMPLES)('folds %j to %j', (text, folded) => {
    expect(foldForSearch(text)).toBe(folded);
  });

  it('keeps the marks that are part of a letter in other scripts, and composed syllables whole', () => {
    for (const text of ['नमस्ते', '한국어', 'ガギグ', 'さくら']) expect(foldForSearch(text)).toBe(text);
    // Half-width katakana with its voicing mark becomes the one full-width letter.
    expect(foldForSearch('ｶﾞ')).toBe('ガ');
  });

  it('leaves ids, emails, digits and punctuation as they are, lower-cased', () => {
    expect(foldForSearch('1234_ABCD_12ab ops@Acme.example 100% _now_ \\ 🎉')).toBe('1234_abcd_12ab ops@acme.example 100% _now_ \\ 🎉');
  });

  it('is stable: folding folded text changes nothing', () => {
    for (const [, folded] of EXAMPLES) expect(foldForSearch(folded)).toBe(folded);
  });
});

describe('the search text of a number', () => {
  const parts = {
    phoneNumber: '+48 22 123 45 67',
    displayName: 'Łódź Dispatch',
    clientName: 'Łódź Logistics Sp. z o.o.',
    contactEmail: 'Biuro@Łódź.example',
    ids: ['CH1', '1098', '2233', 'WA1', '1234_ABCD_12ab', 'CL1', null, undefined],
  };

  it('holds the phone digits, names, email and every id given, folded', () => {
    expect(searchTextFor(parts)).toBe(
      '48221234567 lodz dispatch lodz logistics sp. z o.o. biuro@lodz.example ch1 1098 2233 wa1 1234_abcd_12ab cl1',
    );
  });

  it('leaves out what is missing', () => {
    expect(searchTextFor({ phoneNumber: '+4930901820', clientName: 'Acme', displayName: null, contactEmail: '', ids: [] })).toBe(
      '4930901820 acme',
    );
  });

  // The migration that refolded the stored texts keeps a frozen copy of the fold. When this
  // fails, the fold changed: the stored texts need a new migration to refold them.
  it('is what the refolding migration stored', () => {
    for (const [text] of EXAMPLES) expect(foldV2(text)).toBe(foldForSearch(text));
    const row = {
      phone_number: '+48221234567',
      display_name: parts.displayName,
      client_name: parts.clientName,
      contact_email: parts.contactEmail,
      provider_id: 'CH1',
      external_id: '1098',
      waba_external_id: '2233',
      waba_provider_id: 'WA1',
      namespace: '1234_ABCD_12ab',
      client_provider_id: 'CL1',
    };
    expect(searchTextV2(row)).toBe(searchTextFor(parts));
  });
});
