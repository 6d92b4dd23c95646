import { BadRequestException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SORT,
  FILTER_FAMILIES,
  decodeCursor,
  encodeCursor,
  filterQueryString,
  isFiltered,
  parseNumberFilter,
  type NumberFilter,
  type Sort,
} from '../../src/accounts/number-filter';
import { attentionWhere, cursorFor, keysetSql, numberWhere, type SqlCondition } from '../../src/accounts/number-sql';
import { MAX_SEARCH_WORDS, searchTerm, searchTerms } from '../../src/accounts/search-text';
import { FAMILIES, FAMILY_KEYS } from '../../src/statuses/catalogue';

const NOW = new Date('2026-12-01T12:00:00.000Z');
const PARTNER = 'prt_aaaaaaaaaaaaaaaaaaa';
const ID = 'AbCdEfGhIjKlMnOpQrSt_-'; // the shape newId() makes: 22 base64url characters

const NEWEST: Sort = { field: 'created', dir: 'desc' };
const CLIENT: Sort = { field: 'client', dir: 'asc' };
const PHONE: Sort = { field: 'phone', dir: 'asc' };
const filter = (over: Partial<NumberFilter> = {}): NumberFilter => ({ status: {}, attention: false, sort: NEWEST, ...over });
/** A query string as the controller receives it: repeated parameters become arrays. */
const query = (qs: string): Record<string, unknown> => {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(qs)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : ([] as string[]).concat(prev, v);
  }
  return out;
};
const placeholders = (c: SqlCondition) => (c.sql.match(/\?/g) ?? []).length;

function rejection(fn: () => unknown): BadRequestException {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BadRequestException);
    return e as BadRequestException;
  }
  throw new Error('expected a 400');
}

describe('reading the filter from the query string', () => {
  it('shows every number, newest first, when nothing is given', () => {
    expect(parseNumberFilter({})).toEqual({ q: undefined, status: {}, attention: false, sort: NEWEST });
    expect(DEFAULT_SORT).toEqual(NEWEST);
  });

  it('reads the search, the statuses of each family, attention and the sort', () => {
    const f = parseNumberFilter(
      query(
        'q=acme&lifecycle=error&waba=approved&verification=pending&onBehalf=denied&registration=failed&consent=granted&billing=partner_paid&attention=1&sort=client',
      ),
    );
    expect(f).toEqual({
      q: 'acme',
      status: {
        lifecycle: ['error'],
        waba: ['approved'],
        verification: ['pending'],
        onBehalf: ['denied'],
        registration: ['failed'],
        consent: ['granted'],
        billing: ['partner_paid'],
      },
      attention: true,
      sort: CLIENT,
    });
  });

  it('reads several statuses of one family in the catalogue order, once each, so one choice gives one filter', () => {
    const f = parseNumberFilter(query('lifecycle=suspended&lifecycle=error&lifecycle=suspended'));
    expect(f.status).toEqual({ lifecycle: ['error', 'suspended'] });
    expect(parseNumberFilter(query('lifecycle=error&lifecycle=suspended'))).toEqual(f);
  });

  it.each<[string, Sort]>([
    ['sort=phone', PHONE],
    ['sort=phone&dir=desc', { field: 'phone', dir: 'desc' }],
    ['sort=phone:desc', { field: 'phone', dir: 'desc' }],
    ['sort=created:asc', { field: 'created', dir: 'asc' }],
    ['sort=lifecycle', { field: 'lifecycle', dir: 'asc' }],
    ['dir=asc', { field: 'created', dir: 'asc' }],
    // The links of earlier versions keep working.
    ['sort=newest', NEWEST],
  ])('reads the sort %s', (qs, sort) => {
    expect(parseNumberFilter(query(qs)).sort).toEqual(sort);
  });

  it('trims the search and treats a blank one as no search', () => {
    expect(parseNumberFilter(query('q=++acme++')).q).toBe('acme');
    expect(parseNumberFilter(query('q=+++')).q).toBeUndefined();
    expect(parseNumberFilter(query('q=')).q).toBeUndefined();
  });

  it('treats empty selects, as the form submits them, as no filter', () => {
    expect(parseNumberFilter(query('q=&lifecycle=&billing=&sort=&attention='))).toEqual(filter());
  });

  it('tolerates the cursor and the CSV byte-order-mark parameters', () => {
    expect(parseNumberFilter(query('after=abc&bom=1'))).toEqual(filter());
  });

  it('refuses an unknown parameter with a 400, unless told to ignore it (a page)', () => {
    expect(rejection(() => parseNumberFilter(query('colour=red'))).message).toBe('Unknown parameter "colour".');
    expect(parseNumberFilter(query('colour=red&lifecycle=error'), { unknown: 'ignore' })).toEqual(
      filter({ status: { lifecycle: ['error'] } }),
    );
    expect(() => parseNumberFilter(query('colour=red&lifecycle=approved'), { unknown: 'ignore' })).toThrow(BadRequestException);
  });

  it('refuses a status the family does not have, naming the family', () => {
    expect(rejection(() => parseNumberFilter(query('lifecycle=approved'))).message).toBe('Unknown number status "approved".');
    expect(rejection(() => parseNumberFilter(query('waba=running'))).message).toBe('Unknown waba account "running".');
  });

  it('refuses statuses in another case than the catalogue spells them', () => {
    expect(() => parseNumberFilter(query('lifecycle=Running'))).toThrow(BadRequestException);
  });

  it('refuses the "removed" billing state: removed numbers have left the hub', () => {
    expect(rejection(() => parseNumberFilter(query('billing=removed'))).message).toBe('Unknown billing "removed".');
  });

  it('refuses an unknown sort or direction', () => {
    expect(rejection(() => parseNumberFilter(query('sort=oldest'))).message).toBe('Unknown sort "oldest".');
    expect(rejection(() => parseNumberFilter(query('sort=phone&dir=up'))).message).toBe('"dir" is asc or desc.');
    expect(rejection(() => parseNumberFilter(query('sort=phone:sideways'))).message).toBe('"dir" is asc or desc.');
  });

  it('accepts only 1 for attention', () => {
    expect(() => parseNumberFilter(query('attention=0'))).toThrow('"attention" can only be 1.');
    expect(() => parseNumberFilter(query('attention=true'))).toThrow(BadRequestException);
  });

  it.each(['q=a&q=b', 'sort=client&sort=phone', 'dir=asc&dir=desc', 'attention=1&attention=1'])(
    'refuses a repeated parameter (%s)',
    (qs) => {
      expect(rejection(() => parseNumberFilter(query(qs))).message).toMatch(/^"\w+" must be given once\.$/);
    },
  );

  it('refuses a parameter given as a nested object', () => {
    expect(() => parseNumberFilter({ q: { $ne: '' } })).toThrow('"q" must be given once.');
  });

  it('accepts a search of 200 characters and refuses 201', () => {
    expect(parseNumberFilter({ q: 'a'.repeat(200) }).q).toHaveLength(200);
    expect(() => parseNumberFilter({ q: 'a'.repeat(201) })).toThrow('Search for at most 200 characters.');
  });

  it('echoes at most 40 characters of an unknown value back', () => {
    const message = rejection(() => parseNumberFilter({ consent: 'x'.repeat(500) })).message;
    expect(message).toBe(`Unknown consent status "${'x'.repeat(40)}".`);
  });
});

describe('the query string of a filter', () => {
  it('is empty for the default view', () => {
    expect(filterQueryString(filter())).toBe('');
  });

  it('leaves out the default sort and the default direction of a column but keeps the others', () => {
    expect(filterQueryString(filter({ sort: NEWEST }))).toBe('');
    expect(filterQueryString(filter({ sort: PHONE }))).toBe('?sort=phone');
    expect(filterQueryString(filter({ sort: { field: 'phone', dir: 'desc' } }))).toBe('?sort=phone&dir=desc');
    expect(filterQueryString(filter({ sort: { field: 'created', dir: 'asc' } }))).toBe('?dir=asc');
  });

  it('lists the families in one fixed order, so one filter always gives one link', () => {
    const a = filterQueryString(filter({ status: { billing: ['partner_paid'], lifecycle: ['error', 'suspended'] } }));
    const b = filterQueryString(filter({ status: { lifecycle: ['error', 'suspended'], billing: ['partner_paid'] } }));
    expect(a).toBe('?lifecycle=error&lifecycle=suspended&billing=partner_paid');
    expect(b).toBe(a);
  });

  it('adds extra parameters such as the cursor after the filter', () => {
    expect(filterQueryString(filter({ attention: true }), { after: 'abc' })).toBe('?attention=1&after=abc');
  });

  it.each<[string, NumberFilter]>([
    ['the default view', filter()],
    ['a search with spaces, quotes and symbols', filter({ q: `O'Brien & Söhne 50% "+49"` })],
    ['every family', filter({ status: Object.fromEntries(FILTER_FAMILIES.map((f) => [f, [FAMILIES[f].statuses[0].value]])) })],
    ['several statuses of a family', filter({ status: { lifecycle: ['error', 'suspended'] } })],
    ['attention and a sort', filter({ attention: true, sort: CLIENT, status: { waba: ['account_banned'] } })],
    ['a sort against its default direction', filter({ sort: { field: 'billing', dir: 'desc' } })],
  ])('reads back as the same filter: %s', (_, f) => {
    expect(parseNumberFilter(query(filterQueryString(f).slice(1)))).toEqual(f);
  });
});

describe('whether a list is filtered', () => {
  it('is filtered by a search, a status or attention, but not by a sort', () => {
    expect(isFiltered(filter())).toBe(false);
    expect(isFiltered(filter({ sort: CLIENT }))).toBe(false);
    expect(isFiltered(filter({ q: 'acme' }))).toBe(true);
    expect(isFiltered(filter({ status: { consent: ['pending'] } }))).toBe(true);
    expect(isFiltered(filter({ attention: true }))).toBe(true);
    expect(isFiltered(filter({ providerIds: ['CH1'] }))).toBe(true);
  });
});

describe('the search term', () => {
  it.each([
    ['+49 151 / 234-5', '491512345'],
    ['(0151) 234.56', '15123456'],
    ['0049 151 234', '49151234'],
    ['4915123', '4915123'],
  ])('reads the phone number %s as the stored digits %s', (q, digits) => {
    expect(searchTerm(q)).toBe(digits);
  });

  it('searches other text lower-cased, as the search text is stored', () => {
    expect(searchTerm('ACME GmbH')).toBe('acme gmbh');
    expect(searchTerm('Shop 24')).toBe('shop 24');
  });

  it('keeps a term of zeros only as it is rather than searching for nothing', () => {
    expect(searchTerm('000')).toBe('000');
  });
});

describe('the terms of a search', () => {
  it('keeps a phone number in any format as one term, its digits', () => {
    expect(searchTerms('+49 151 / 234-5')).toEqual(['491512345']);
    expect(searchTerms('(0151) 234.56')).toEqual(['15123456']);
  });

  it('reads other searches word by word, each as a term is read', () => {
    expect(searchTerms('  Lumière   CAFÉ ')).toEqual(['lumiere', 'cafe']);
    expect(searchTerms('Pampa +49 0151')).toEqual(['pampa', '49', '151']);
  });

  it('leaves out a word repeated or inside another word of the search', () => {
    expect(searchTerms('cafe Café lumiere')).toEqual(['cafe', 'lumiere']);
    expect(searchTerms('strasse Straßenbahn')).toEqual(['strassenbahn']);
  });

  it("leaves out a phone number's punctuation typed beside words, but searches punctuation typed alone", () => {
    expect(searchTerms('pampa 0151 / 234')).toEqual(['pampa', '151', '234']);
    expect(searchTerms('acme +49 151 - 2345')).toEqual(['acme', '49', '151', '2345']);
    expect(searchTerms('-')).toEqual(['-']);
  });

  it(`keeps the ${MAX_SEARCH_WORDS} longest words of a longer search, in the order typed`, () => {
    const words = Array.from({ length: MAX_SEARCH_WORDS }, (_, i) => `word${i}`);
    expect(searchTerms(words.join(' '))).toEqual(words);
    expect(searchTerms(['ab', ...words, 'c'].join(' '))).toEqual(words);
  });
});

describe('the SQL condition of a filter', () => {
  it('always scopes to the partner and leaves out removed numbers', () => {
    expect(numberWhere(PARTNER, filter(), NOW)).toEqual({
      sql: "n.partner_id = ? and n.billing_state <> 'removed'",
      params: [PARTNER],
    });
  });

  it.each<[keyof NumberFilter['status'], string, string]>([
    ['lifecycle', 'error', 'n.status'],
    ['registration', 'failed', 'n.registration_status'],
    ['billing', 'partner_paid', 'n.billing_state'],
    ['waba', 'approved', 'w.status'],
    ['verification', 'rejected', 'w.business_verification_status'],
    ['onBehalf', 'denied', 'w.message_on_behalf_status'],
    ['consent', 'withdrawn', 'c.consent_status'],
  ])('adds one condition on its column for a %s filter', (family, value, column) => {
    const where = numberWhere(PARTNER, filter({ status: { [family]: [value] } }), NOW);
    expect(where.sql).toBe(`n.partner_id = ? and n.billing_state <> 'removed' and ${column} = ?`);
    expect(where.params).toEqual([PARTNER, value]);
  });

  it('adds one condition per status filter, with the values as parameters in order', () => {
    const where = numberWhere(PARTNER, filter({ status: { consent: ['pending'], lifecycle: ['ready'], waba: ['unverified'] } }), NOW);
    expect(where.sql.split(' and ')).toHaveLength(5);
    expect(where.params).toEqual([PARTNER, 'ready', 'unverified', 'pending']);
  });

  it('passes the search as a parameter, never inside the SQL', () => {
    const q = "x' or 1=1 --";
    const where = numberWhere(PARTNER, filter({ q }), NOW);
    expect(where.sql).not.toContain('1=1');
    const like = "n.search_text like ? escape '\\'";
    const hidden = `case when ${like} then 1 else 0 end <> 0`;
    expect(where.sql).toBe(`n.partner_id = ? and n.billing_state <> 'removed' and ${like} and ${hidden} and ${hidden}`);
    expect(where.params).toEqual([PARTNER, '%1=1%', "%x'%", '%or%']);
  });

  it("estimates a search by its longest word: the others' LIKEs are hidden from PostgreSQL's estimate", () => {
    const where = numberWhere(PARTNER, filter({ q: 'cafe lumiere' }), NOW);
    expect(where.sql).toBe(
      "n.partner_id = ? and n.billing_state <> 'removed' and n.search_text like ? escape '\\' and case when n.search_text like ? escape '\\' then 1 else 0 end <> 0",
    );
    expect(where.params).toEqual([PARTNER, '%lumiere%', '%cafe%']);
  });

  it('escapes LIKE wildcards in the search so that they match themselves', () => {
    expect(numberWhere(PARTNER, filter({ q: '50%_off\\' }), NOW).params[1]).toBe('%50\\%\\_off\\\\%');
  });

  it('searches a phone number by its digits', () => {
    expect(numberWhere(PARTNER, filter({ q: '+49 151 234' }), NOW).params[1]).toBe('%49151234%');
  });

  it('adds the attention condition with its parameters after the others', () => {
    const attention = attentionWhere(NOW);
    const where = numberWhere(PARTNER, filter({ attention: true, status: { consent: ['granted'] } }), NOW);
    expect(where.sql.endsWith(` and ${attention.sql}`)).toBe(true);
    expect(where.params).toEqual([PARTNER, 'granted', ...attention.params]);
  });

  it.each<[string, NumberFilter]>([
    ['none', filter()],
    ['search', filter({ q: 'acme' })],
    ['attention', filter({ attention: true })],
    ['several words', filter({ q: 'cafe lumiere 0151' })],
    ['provider ids', filter({ providerIds: ['CH1', 'CH2', 'CH3'] })],
    [
      'everything',
      filter({
        q: 'acme +49',
        attention: true,
        providerIds: ['CH1', 'CH2'],
        status: { lifecycle: ['ready', 'error'], billing: ['partner_paid'], consent: ['pending'] },
      }),
    ],
  ])('has exactly one parameter per placeholder (filter: %s)', (_, f) => {
    const where = numberWhere(PARTNER, f, NOW);
    expect(placeholders(where)).toBe(where.params.length);
  });

  it('gives the same SQL text for the same filter, whatever the values, so statements are reused', () => {
    const a = numberWhere(PARTNER, filter({ q: 'acme', status: { lifecycle: ['error'] } }), NOW);
    const b = numberWhere('prt_bbbbbbbbbbbbbbbbbbb', filter({ q: 'beta', status: { lifecycle: ['running'] } }), NOW);
    expect(b.sql).toBe(a.sql);
  });

  it('looks provider ids up exactly, padded to a few list lengths so that their SQL texts stay few', () => {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `CH${i}`);
    const two = numberWhere(PARTNER, filter({ providerIds: ids(2) }), NOW);
    expect(two.sql).toBe(`n.partner_id = ? and n.billing_state <> 'removed' and n.provider_id in (${Array(10).fill('?').join(', ')})`);
    expect(two.params).toEqual([PARTNER, 'CH0', ...Array(9).fill('CH1')]);
    expect(numberWhere(PARTNER, filter({ providerIds: ids(10) }), NOW).sql).toBe(two.sql);
    const texts = new Set(Array.from({ length: 100 }, (_, i) => numberWhere(PARTNER, filter({ providerIds: ids(i + 1) }), NOW).sql));
    expect(texts.size).toBe(4);
  });
});

describe('the attention condition', () => {
  const attentionCodes = (family: keyof typeof FAMILIES) =>
    (FAMILIES[family].statuses as readonly { value: string; attention?: boolean }[]).filter((s) => s.attention).map((s) => s.value);

  it('matches the problem statuses of every family the catalogue marks: the number, its WABA account and its client', () => {
    const { sql, params } = attentionWhere(NOW);
    expect(sql).toMatch(
      /^\(n\.status in \(\?, \?\) or w\.status in \(.*\) or n\.registration_status in \(\?\) or c\.consent_status in \(\?\) or n\.quality_rating in \(\?\) or \(n\.status in .* and n\.status_changed_at < \?\)\)$/,
    );
    expect(params.slice(0, 2)).toEqual(['error', 'suspended']);
    const marked = FAMILY_KEYS.filter((f) => attentionCodes(f).length > 0);
    expect(marked).toEqual(['lifecycle', 'waba', 'verification', 'onBehalf', 'registration', 'consent', 'quality']);
    for (const family of marked) {
      for (const code of attentionCodes(family)) expect(params).toContain(code);
    }
  });

  it('matches numbers waiting in a pending status since more than seven days before now', () => {
    const { params } = attentionWhere(NOW);
    expect(params.at(-1)).toEqual(new Date('2026-11-24T12:00:00.000Z'));
    expect(params.slice(-4, -1)).toEqual(['created', 'submitted', 'ready']);
  });

  it('has exactly one parameter per placeholder', () => {
    const where = attentionWhere(NOW);
    expect(placeholders(where)).toBe(where.params.length);
  });
});

describe('the keyset read of a page', () => {
  const where = { sql: 'n.partner_id = ?', params: [PARTNER] };

  it('reads the first page in the order of the sort, with the limit as a parameter', () => {
    expect(keysetSql(where, undefined, 26, NEWEST)).toEqual({
      sql: 'where n.partner_id = ? order by n.provider_created_at desc, n.id desc limit ?',
      params: [PARTNER, 26],
    });
    expect(keysetSql(where, undefined, 26, CLIENT).sql).toBe('where n.partner_id = ? order by n.client_name asc, n.id asc limit ?');
    expect(keysetSql(where, undefined, 26, PHONE).sql).toBe('where n.partner_id = ? order by n.phone_number asc, n.id asc limit ?');
    expect(keysetSql(where, undefined, 26, { field: 'phone', dir: 'desc' }).sql).toBe(
      'where n.partner_id = ? order by n.phone_number desc, n.id desc limit ?',
    );
  });

  it('reads the newest-first pages before the cursor, comparing the instant as a date', () => {
    const cursor = { sort: NEWEST, key: '2026-11-02T10:00:00.000Z', id: ID };
    const read = keysetSql(where, cursor, 26, NEWEST);
    expect(read.sql).toBe(
      'where n.partner_id = ? and (n.provider_created_at, n.id) < (?, ?) order by n.provider_created_at desc, n.id desc limit ?',
    );
    expect(read.params).toEqual([PARTNER, new Date('2026-11-02T10:00:00.000Z'), ID, 26]);
  });

  it('reads the pages sorted by client or phone after the cursor', () => {
    const client = keysetSql(where, { sort: CLIENT, key: 'Acme GmbH', id: ID }, 10, CLIENT);
    expect(client.sql).toContain(' and (n.client_name, n.id) > (?, ?) order by n.client_name asc, n.id asc limit ?');
    expect(client.params).toEqual([PARTNER, 'Acme GmbH', ID, 10]);
    const phone = keysetSql(where, { sort: PHONE, key: '+4915123', id: ID }, 10, PHONE);
    expect(phone.sql).toContain(' and (n.phone_number, n.id) > (?, ?) order by');
  });

  it('has exactly one parameter per placeholder with a full filter and a cursor', () => {
    const full = numberWhere(PARTNER, filter({ q: 'acme', attention: true, status: { lifecycle: ['ready'] } }), NOW);
    const read = keysetSql(full, { sort: CLIENT, key: 'Acme', id: ID }, 26, CLIENT);
    expect(placeholders(read)).toBe(read.params.length);
  });
});

describe('the page cursor', () => {
  const row = (sortKey: string | number) => ({ id: ID, sortKey });
  const cursorOf = (sort: Sort, sortKey: string | number) => encodeCursor(cursorFor(sort, row(sortKey)));

  it.each<[string, Sort, string | number]>([
    ['newest', NEWEST, '2026-11-02T10:00:00.000Z'],
    ['client', CLIENT, 'Acme GmbH'],
    ['phone', PHONE, '+4915123456789'],
  ])('reads back the %s cursor of the last row on a page', (_, sort, key) => {
    const after = cursorOf(sort, key);
    expect(after).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(after, sort)).toEqual({ sort, key, id: ID });
  });

  it('reads back a client name with quotes and accents', () => {
    const after = encodeCursor({ sort: CLIENT, key: `"Ünïcode" O'Brien`, id: ID });
    expect(decodeCursor(after, CLIENT)?.key).toBe(`"Ünïcode" O'Brien`);
  });

  it('starts at the first page without a cursor', () => {
    expect(decodeCursor(undefined, NEWEST)).toBeUndefined();
    expect(decodeCursor('', NEWEST)).toBeUndefined();
  });

  const refused = (value: unknown, sort: Sort = NEWEST) =>
    expect(() => decodeCursor(value, sort)).toThrow('The page link is not valid. Start again from the first page.');

  it('refuses a cursor made for another sort or direction', () => {
    refused(cursorOf(CLIENT, 'Acme'), PHONE);
    refused(cursorOf(CLIENT, 'Acme'), { field: 'client', dir: 'desc' });
  });

  it('refuses an edited cursor', () => {
    const after = cursorOf(CLIENT, 'Acme GmbH');
    expect(after.startsWith('WyJ')).toBe(true); // base64url of '["'
    refused(after.slice(0, -4), CLIENT);
    refused(`x${after}`, CLIENT);
    refused(`X${after.slice(1)}`, CLIENT);
  });

  it('reads back the cursor of the longest client name, 200 CJK characters', () => {
    const key = '株'.repeat(200);
    const after = encodeCursor({ sort: CLIENT, key, id: ID, pos: 99_999_999 });
    expect(after.length).toBeLessThanOrEqual(900);
    expect(decodeCursor(after, CLIENT)?.key).toBe(key);
  });

  it('refuses a cursor longer than 900 characters before decoding it', () => {
    const long = encodeCursor({ sort: CLIENT, key: 'a'.repeat(199), id: ID }).padEnd(901, 'A');
    refused(long, CLIENT);
  });

  it('refuses a cursor with a key longer than 200 characters', () => {
    refused(encodeCursor({ sort: CLIENT, key: 'a'.repeat(201), id: ID }), CLIENT);
    expect(decodeCursor(encodeCursor({ sort: CLIENT, key: 'a'.repeat(200), id: ID }), CLIENT)?.key).toHaveLength(200);
  });

  it('refuses characters outside base64url and repeated cursors', () => {
    refused('abc+/=');
    refused('abc def');
    refused([cursorOf(NEWEST, '2026-11-02T10:00:00.000Z'), cursorOf(NEWEST, '2026-11-02T10:00:00.000Z')]);
  });

  it('refuses valid base64url that is not a cursor', () => {
    const b64 = (v: string) => Buffer.from(v).toString('base64url');
    refused(b64('not json'));
    refused(b64('{"sort":"newest"}'));
    refused(b64(JSON.stringify(['created', 'desc', '2026-11-02T10:00:00.000Z'])));
    refused(b64(JSON.stringify(['created', 'desc', '2026-11-02T10:00:00.000Z', ID, null, 'extra'])));
    // A page link of an earlier version: start again from the first page.
    refused(b64(JSON.stringify(['newest', '2026-11-02T10:00:00.000Z', ID])));
  });

  it('refuses an id that newId() could not have made', () => {
    refused(encodeCursor({ sort: CLIENT, key: 'Acme', id: '1 or 1=1' }), CLIENT);
    refused(encodeCursor({ sort: CLIENT, key: 'Acme', id: `${ID}x` }), CLIENT);
  });

  it('refuses a newest-first key that is not an exact ISO instant', () => {
    refused(encodeCursor({ sort: NEWEST, key: '2026-11-02', id: ID }));
    refused(encodeCursor({ sort: NEWEST, key: '2026-13-45T10:00:00.000Z', id: ID }));
    refused(encodeCursor({ sort: NEWEST, key: "2026-11-02T10:00:00.000Z' or 1=1", id: ID }));
  });
});
