import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { stringify } from 'csv-stringify/sync';
import { CSV_FORMAT, CSV_HEADERS, csvRecord, neutralize, type ExportRow } from '../../src/exports/csv-columns';

// Written as the download writes them: the app's cells through csv-stringify with its format.
const csvCell = (value: string) => stringify([[neutralize(value)]], CSV_FORMAT).slice(0, -2);
const csvLine = (r: ExportRow) => stringify([csvRecord(r)], CSV_FORMAT);

// OWASP's formula starts, with LF, NUL and the full-width forms some programs normalize, after
// the spaces and direction marks (LRM, RLM, ALM) a program may skip.
const FORMULA_START = /^[ \u200E\u200F\u061C]*[=+\-@\t\r\n\u0000＝＋－＠]/;

const HOSTILE = [
  '=HYPERLINK("http://evil.example","click")',
  '+49 (0) 151',
  '-2+3',
  '@SUM(A1:A2)',
  '\tTabbed',
  '\rCarriage',
  '\nLinefeed',
  '\u0000=1+1',
  '＝1+1',
  '＋1',
  '－1',
  '＠SUM(A1)',
  "'Tis the Season Ltd",
  'He said "hi", then left',
  'Comma, Inc.',
  'Line one\r\nLine two\nLine three',
  "Acme GmbH;=cmd|' /C calc'!A0;",
  'Tabbed\t=1+1',
  'Two lines\n=1+1',
  'Carriage\r@SUM(A1)',
  'Semi;"=1+1"',
  'Semi;;-1',
  ';=1+1',
  'Tab\t\t+1',
  'Smile 😀 GmbH',
  '\u202Eevil\u202C txt.exe',
  'Norm; =cmd',
  '\u200E=1+1',
  '\u200F\u200F+SUM(A1)',
  'Semi;\u061C-1',
  '  spaced  ',
];

/**
 * The cell expected for a value, stated apart from the code: a single quote before a formula
 * start (or a quote already there) that comes first, or right after a ";", a tab or a line
 * break, or before a quote there.
 */
const neutralized = (value: string) =>
  (/^[ \u200E\u200F\u061C]*[=+\-@\t\r\n\u0000＝＋－＠']/.test(value) ? `'${value}` : value).replace(
    /[;\t\r\n][ \u200E\u200F\u061C]*(?=[=+\-@\u0000＝＋－＠'"])/g,
    "$&'",
  );

/** A record with one hostile value first, in the middle and last, beside an E.164 number written as stored. */
const lineOf = (value: string) => [csvCell(value), 'plain', csvCell(value), '+34675168435', csvCell(value)].join(',') + '\r\n';

const row = (over: Partial<ExportRow> = {}): ExportRow => ({
  companyName: 'Acme Retail 1 GmbH',
  phoneNumber: '+34675168435',
  contactEmail: 'ops@client.example',
  onBehalf: 'approved',
  verification: 'verified',
  registration: 'registered',
  clientId: 'CL0000001',
  numberId: 'CH00000001',
  wabaExternalId: '100000000001',
  channelExternalId: '300000000001',
  namespace: '1_abcdef12',
  lifecycle: 'running',
  consent: 'granted',
  billing: 'partner_paid',
  terminationDate: null,
  createdAt: new Date(Date.UTC(2026, 2, 2, 9, 15, 0, 7)),
  displayName: 'Acme Support',
  countryCode: 'ES',
  wabaStatus: 'approved',
  timezoneId: 47,
  ivr: 0,
  registrationMethod: 'sms',
  qualityRating: 'green',
  messagingTier: 'tier_1k',
  needsAttention: 0,
  removeAt: null,
  ...over,
});

describe('a CSV cell', () => {
  it('is the value itself, not a copy, when it needs neither quoting nor neutralizing', () => {
    for (const value of [
      '',
      'Acme Retail 1 GmbH',
      'ops@client.example',
      '2026-03-02T09:15:00.000Z',
      'Café Lumière',
      'a=b',
      'x-y+z@w',
      "O'Brien",
      '  spaced  ',
    ]) {
      expect(csvCell(value)).toBe(value);
    }
  });

  it('quotes a value that holds a comma, a semicolon, a tab, a quote, a CR or an LF, doubling its quotes', () => {
    expect(csvCell('Comma, Inc.')).toBe('"Comma, Inc."');
    expect(csvCell('Semi; Colon')).toBe('"Semi; Colon"');
    expect(csvCell('Tab\there')).toBe('"Tab\there"');
    expect(csvCell('He said "hi"')).toBe('"He said ""hi"""');
    expect(csvCell('Carriage\rreturn')).toBe('"Carriage\rreturn"');
    expect(csvCell('Line\nfeed')).toBe('"Line\nfeed"');
    expect(csvCell('Line\r\nbreak')).toBe('"Line\r\nbreak"');
  });

  it.each(['=', '+', '-', '@', '\t', '\r', '\n', '\u0000', '＝', '＋', '－', '＠', "'"])(
    'puts a single quote before a value that starts with %j',
    (start) => {
      const cell = csvCell(`${start}1+1`);
      expect(cell.replace(/^"/, '').startsWith(`'${start}1+1`)).toBe(true);
    },
  );

  it("writes the reviewer's value quoted, with the formula after the semicolon neutralized", () => {
    expect(csvCell("Acme GmbH;=cmd|' /C calc'!A0;")).toBe(`"Acme GmbH;'=cmd|' /C calc'!A0;"`);
    expect(csvCell('Tabbed\t=1+1')).toBe(`"Tabbed\t'=1+1"`);
    expect(csvCell('Two lines\n=1+1')).toBe(`"Two lines\n'=1+1"`);
    expect(csvCell('Semi;"=1+1"')).toBe(`"Semi;'""=1+1"""`);
    expect(csvCell('\t=1+1')).toBe(`"'\t'=1+1"`);
    // A line break keeps its CR LF: the LF is checked in turn.
    expect(csvCell('a\r\n=1')).toBe(`"a\r\n'=1"`);
    // Spaces and direction marks that a program may skip before the formula.
    expect(csvCell('Norm; =cmd')).toBe(`"Norm; '=cmd"`);
    expect(csvCell('\u200E=1+1')).toBe(`'\u200E=1+1`);
  });

  it('parses back, split on commas, as every hostile value with its quotes before formula starts and nothing else', () => {
    const text = HOSTILE.map(lineOf).join('');
    const records = parse(text, { record_delimiter: '\r\n', relax_quotes: false, relax_column_count: false }) as string[][];
    expect(records).toHaveLength(HOSTILE.length);
    for (const [i, value] of HOSTILE.entries()) {
      const [first, plain, third, phone, last] = records[i];
      expect([plain, phone]).toEqual(['plain', '+34675168435']);
      for (const cell of [first, third, last]) {
        expect(FORMULA_START.test(cell), JSON.stringify(cell)).toBe(false);
        expect(cell).toBe(neutralized(value));
      }
    }
  });

  it.each([
    ['";"', ';'],
    ['tab', '\t'],
  ])('starts no formula when a spreadsheet splits the lines on %s, honouring quotes or not', (_name, delimiter) => {
    // A cell in the middle of a line: the spreadsheet's cells begin inside ours.
    const text = HOSTILE.map((v) => `x,${lineOf(v)}`).join('');
    for (const quote of ['"', false] as const) {
      const records = parse(text, {
        delimiter,
        quote,
        relax_quotes: true,
        relax_column_count: true,
        record_delimiter: ['\r\n', '\n', '\r'],
      }) as string[][];
      const formulas = records.flat().filter((cell) => FORMULA_START.test(cell));
      expect(formulas).toEqual([]);
    }
  });
});

describe('a CSV record', () => {
  it('writes the columns in order with CRLF, and a valid E.164 number exactly as stored', () => {
    // The seed's sixteen columns first, in its order, then the ones added since: a file's shape
    // that imports and other tools rely on.
    expect(stringify([[...CSV_HEADERS]], CSV_FORMAT)).toBe(
      'Company legal name,WhatsApp number,Contact email,Message on behalf,Facebook business verification,Number registration,' +
        'Client ID,Number ID,WABA Account External ID,WABA Channel External ID,Namespace,Lifecycle status,Consent status,' +
        'Billing state,Termination date,Created at,Display name,Country,WABA account status,Timezone ID,IVR,' +
        'Number registration preference,Quality rating,Messaging limit,Needs attention,Removal date\r\n',
    );
    expect(csvLine(row())).toBe(
      'Acme Retail 1 GmbH,+34675168435,ops@client.example,approved,verified,registered,CL0000001,CH00000001,' +
        '100000000001,300000000001,1_abcdef12,running,granted,partner_paid,,2026-03-02T09:15:00.007Z,' +
        // The columns added after the seed's: display name, country, WABA status, Timezone ID, IVR,
        // registration preference, quality, messaging limit, needs attention, removal date.
        'Acme Support,ES,approved,47,false,sms,green,tier_1k,false,\r\n',
    );
    expect(csvLine(row({ ivr: 1, needsAttention: true, timezoneId: null, removeAt: Date.UTC(2027, 0, 14, 23) })).slice(-68)).toBe(
      'Acme Support,ES,approved,,true,sms,green,tier_1k,true,2027-01-14T23:00:00.000Z\r\n'.slice(-68),
    );
  });

  it('neutralizes a phone number that is not E.164 like any other text', () => {
    const cells = (r: ExportRow) => (parse(csvLine(r), { record_delimiter: '\r\n' }) as string[][])[0];
    expect(cells(row({ phoneNumber: '+49 (0) 151' }))[1]).toBe("'+49 (0) 151");
    expect(cells(row({ phoneNumber: '+34675168435;=cmd' }))[1]).toBe("'+34675168435;'=cmd");
    expect(cells(row({ phoneNumber: '+34675168435\n' }))[1]).toBe("'+34675168435\n");
    expect(cells(row({ companyName: "Acme GmbH;=cmd|' /C calc'!A0;" }))[0]).toBe("Acme GmbH;'=cmd|' /C calc'!A0;");
  });
});
