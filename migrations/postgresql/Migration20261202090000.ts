import { Migration } from '@mikro-orm/migrations';

/** The list sorted by display name, read in order off an index instead of sorting every number. */
export class Migration20261202090000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create index "whatsapp_number_partner_id_display_key_id_index" on "whatsapp_number" ("partner_id", coalesce("display_name", ''), "id");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql('drop index "whatsapp_number_partner_id_display_key_id_index";');
  }
}
