import { Migration } from '@mikro-orm/migrations';

/** The settings form that made each API key: the same form sent twice, even at once, makes one key. */
export class Migration20261203180000 extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table `api_key` add column `form_id` text null;');
    this.addSql('create unique index `api_key_partner_id_form_id_unique` on `api_key` (`partner_id`, `form_id`);');
  }

  override async down(): Promise<void> {
    this.addSql('drop index if exists `api_key_partner_id_form_id_unique`;');
    this.addSql('alter table `api_key` drop column `form_id`;');
  }
}
