import { Migration } from '@mikro-orm/migrations';

/**
 * The outbox holds no foreign key into another module's table (mail knows no partner and no
 * user_token): partner_id and token_id stay, as plain values. token_id gets an index (the
 * housekeeping's "still awaited by an email" lookup), as on SQLite.
 */
export class Migration20261130122000 extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table "outbox_email" drop constraint "outbox_email_partner_id_foreign";');
    this.addSql('alter table "outbox_email" drop constraint "outbox_email_token_id_foreign";');
    this.addSql('create index "outbox_email_token_id_index" on "outbox_email" ("token_id");');
  }

  override async down(): Promise<void> {
    this.addSql('drop index "outbox_email_token_id_index";');
    // What the keys would have done meanwhile: a gone partner's emails deleted, a gone token's link unset.
    this.addSql(
      'delete from "outbox_email" o where o."partner_id" is not null and not exists (select 1 from "partner" p where p."id" = o."partner_id");',
    );
    this.addSql(
      'update "outbox_email" o set "token_id" = null where o."token_id" is not null and not exists (select 1 from "user_token" t where t."id" = o."token_id");',
    );
    this.addSql(
      'alter table "outbox_email" add constraint "outbox_email_partner_id_foreign" foreign key ("partner_id") references "partner" ("id") on update cascade on delete cascade;',
    );
    this.addSql(
      'alter table "outbox_email" add constraint "outbox_email_token_id_foreign" foreign key ("token_id") references "user_token" ("id") on update cascade on delete set null;',
    );
  }
}
