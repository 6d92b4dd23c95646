import { Migration } from '@mikro-orm/migrations';
import { parsePhoneNumberFromString } from 'libphonenumber-js';

/** Rows read and written per statement: 1,000 rows are 2,000 parameters, far below either database's limit. */
const BATCH = 1_000;

const SELECT = `select "id", "phone_number" from "whatsapp_number" where "id" > ? order by "id" limit ?`;

/** One statement per batch, the same SQL on SQLite (3.33+) and PostgreSQL. */
function updateSql(rows: number): string {
  const values = Array.from({ length: rows }, () => '(?, ?)').join(', ');
  return `with "v" ("id", "code") as (values ${values}) update "whatsapp_number" set "country_code" = "v"."code" from "v" where "whatsapp_number"."id" = "v"."id"`;
}

/**
 * Stores each number's country as the import now does (src/accounts/phone.ts, phoneCountry), in
 * keyset batches by id: about 40 µs a number. Shared by both dialects' migrations.
 */
export async function fillCountryCodes(migration: Migration): Promise<void> {
  let after = '';
  for (;;) {
    const rows = (await migration.execute(SELECT, [after, BATCH])) as { id: string; phone_number: string }[];
    if (rows.length === 0) return;
    const params: string[] = [];
    for (const r of rows) {
      const code = parsePhoneNumberFromString(r.phone_number)?.country;
      if (code) params.push(r.id, code);
    }
    if (params.length) await migration.execute(updateSql(params.length / 2), params);
    after = rows[rows.length - 1].id;
  }
}

/** A number's country, stored: a download of 100,000 rows read it instead of parsing every phone number. */
export class Migration20261130181000 extends Migration {
  override async up(): Promise<void> {
    // Run now, not queued: the rows are filled right after.
    await this.execute('alter table `whatsapp_number` add column `country_code` text null;');
    await fillCountryCodes(this);
  }

  override async down(): Promise<void> {
    await this.execute('alter table `whatsapp_number` drop column `country_code`;');
  }
}
