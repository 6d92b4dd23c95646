import { Migration } from '@mikro-orm/migrations';

/**
 * A number no longer points at its revocation (accounts knows no revocation): the open one is
 * found by `revocation.number_id`, and a partial unique index keeps it to one per number.
 */
export class Migration20261130121000 extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table "whatsapp_number" drop constraint "whatsapp_number_revocation_id_foreign";');
    this.addSql('alter table "whatsapp_number" drop column "revocation_id";');
    this.addSql('create unique index "revocation_open_number_id_unique" on "revocation" ("number_id") where "withdrawn_at" is null;');
  }

  override async down(): Promise<void> {
    this.addSql('drop index "revocation_open_number_id_unique";');
    this.addSql('alter table "whatsapp_number" add column "revocation_id" varchar(22) null;');
    this.addSql(
      'alter table "whatsapp_number" add constraint "whatsapp_number_revocation_id_foreign" foreign key ("revocation_id") references "revocation" ("id") on update cascade on delete set null;',
    );
    this.addSql(
      'update "whatsapp_number" n set "revocation_id" = r."id" from "revocation" r where r."number_id" = n."id" and r."withdrawn_at" is null;',
    );
  }
}
