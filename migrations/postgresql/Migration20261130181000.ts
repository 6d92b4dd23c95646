import { Migration } from '@mikro-orm/migrations';
import { fillCountryCodes } from '../sqlite/Migration20261130181000';

/** A number's country, stored: a download of 100,000 rows read it instead of parsing every phone number. */
export class Migration20261130181000 extends Migration {
  override async up(): Promise<void> {
    // Run now, not queued: the rows are filled right after.
    await this.execute(`alter table "whatsapp_number" add column "country_code" varchar(2) null;`);
    await fillCountryCodes(this);
  }

  override async down(): Promise<void> {
    await this.execute(`alter table "whatsapp_number" drop column "country_code";`);
  }
}
