import { Migration } from '@mikro-orm/migrations';

/** The layout each person chose for the list of numbers (table or cards), and the client page's index. */
export class Migration20261130141000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "number_list_preference" ("id" varchar(22) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "user_id" varchar(22) not null, "view" text check ("view" in ('table', 'cards')) not null, constraint "number_list_preference_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "number_list_preference" add constraint "number_list_preference_user_id_unique" unique ("user_id");`);
    this.addSql(
      `create index "whatsapp_number_partner_id_client_id_provider_crea_694bf_index" on "whatsapp_number" ("partner_id", "client_id", "provider_created_at", "id");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "whatsapp_number_partner_id_client_id_provider_crea_694bf_index";`);
    this.addSql(`drop table if exists "number_list_preference" cascade;`);
  }
}
