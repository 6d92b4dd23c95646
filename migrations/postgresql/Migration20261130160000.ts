import { Migration } from '@mikro-orm/migrations';

/** Partner API keys: the public key id (unique, the lookup) and the hash of the secret. */
export class Migration20261130160000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "api_key" ("id" varchar(22) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "partner_id" varchar(22) not null, "name" varchar(100) not null, "scope" text check ("scope" in ('read', 'read_write')) not null, "key_id" varchar(32) not null, "secret_hash" varchar(64) not null, "created_by" varchar(22) not null, "expires_at" timestamptz null, "revoked_at" timestamptz null, "last_used_at" timestamptz null, "last_used_ip" varchar(64) null, constraint "api_key_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "api_key" add constraint "api_key_key_id_unique" unique ("key_id");`);
    this.addSql(`create index "api_key_partner_id_created_at_index" on "api_key" ("partner_id", "created_at");`);
    this.addSql(
      `alter table "api_key" add constraint "api_key_partner_id_foreign" foreign key ("partner_id") references "partner" ("id") on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "api_key" cascade;`);
  }
}
