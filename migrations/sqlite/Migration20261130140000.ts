import { Migration } from '@mikro-orm/migrations';

/*
 * Frozen copies of the search text as the app wrote it before this migration (v1) and from it
 * on (v2): a migration is history, so it never imports the app's current code.
 */

const LETTERS_V2: Readonly<Record<string, string>> = {
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
const LETTER_V2 = new RegExp(`[${Object.keys(LETTERS_V2).join('')}]`, 'g');
const ACCENTS_V2 = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/g;

/** The fold of src/accounts/search-text.ts as of this migration. */
export function foldV2(text: string): string {
  return text
    .normalize('NFKD')
    .toLowerCase()
    .replace(ACCENTS_V2, '')
    .normalize('NFC')
    .replace(LETTER_V2, (c) => LETTERS_V2[c])
    .replace(/\s+/g, ' ')
    .trim();
}

/** The columns a number's search text is made of. */
export interface SearchSources {
  phone_number: string;
  display_name: string | null;
  client_name: string;
  contact_email: string | null;
  provider_id: string;
  external_id: string;
  waba_provider_id: string;
  waba_external_id: string;
  namespace: string | null;
  client_provider_id: string;
}

const joined = (parts: (string | null)[]) => parts.filter((p): p is string => !!p).join(' ');

/** Folded, with the WABA namespace among the ids. */
export function searchTextV2(r: SearchSources): string {
  return foldV2(
    joined([
      r.phone_number.replace(/\D/g, ''),
      r.display_name,
      r.client_name,
      r.contact_email,
      r.provider_id,
      r.external_id,
      r.waba_external_id,
      r.waba_provider_id,
      r.namespace,
      r.client_provider_id,
    ]),
  );
}

/** Lower-cased only, no namespace: what the app wrote before. */
export function searchTextV1(r: SearchSources): string {
  return joined([
    r.phone_number.replace(/\D/g, ''),
    r.display_name,
    r.client_name,
    r.contact_email,
    r.provider_id,
    r.external_id,
    r.waba_external_id,
    r.waba_provider_id,
    r.client_provider_id,
  ]).toLowerCase();
}

/** Rows read and written per statement: 1,000 rows are 2,000 parameters, far below either database's limit. */
const BATCH = 1_000;

const SELECT = `select n."id", n."search_text", n."phone_number", n."display_name", c."name" as "client_name",
  c."contact_email", n."provider_id", n."external_id", w."provider_id" as "waba_provider_id",
  w."external_id" as "waba_external_id", w."namespace", c."provider_id" as "client_provider_id"
  from "whatsapp_number" n
  join "client" c on c."id" = n."client_id"
  join "waba_account" w on w."id" = n."waba_account_id"
  where n."id" > ? order by n."id" limit ?`;

/**
 * One statement for a whole batch, the same SQL on SQLite (3.33+) and PostgreSQL: the new
 * texts as a table of values, joined to the numbers by id.
 */
function updateSql(rows: number): string {
  const values = Array.from({ length: rows }, () => '(?, ?)').join(', ');
  return `with "v" ("id", "text") as (values ${values}) update "whatsapp_number" set "search_text" = "v"."text" from "v" where "whatsapp_number"."id" = "v"."id"`;
}

/**
 * Data only, the same SQL on both databases (one class, written in the SQLite folder): every
 * number's search text folded (case, accents, letters such as ł and ß) and with its WABA
 * namespace, as the app now writes it. Numbers are read in keyset batches by id, and each
 * batch's changed texts are written in one statement: 100,000 numbers take seconds.
 * Down writes the previous form again, which the previous app's search expects.
 */
export class Migration20261130140000 extends Migration {
  override async up(): Promise<void> {
    await this.rewrite(searchTextV2);
  }

  override async down(): Promise<void> {
    await this.rewrite(searchTextV1);
  }

  private async rewrite(textOf: (r: SearchSources) => string): Promise<void> {
    let after = '';
    for (;;) {
      const rows = (await this.execute(SELECT, [after, BATCH])) as (SearchSources & { id: string; search_text: string })[];
      if (rows.length === 0) return;
      const params: string[] = [];
      for (const r of rows) {
        const text = textOf(r);
        if (text !== r.search_text) params.push(r.id, text);
      }
      if (params.length) await this.execute(updateSql(params.length / 2), params);
      after = rows[rows.length - 1].id;
    }
  }
}
