import { Migration } from '@mikro-orm/migrations';

/** Operator keys (the operator API): the public key id (unique, the lookup) and the hash of the secret. */
export class Migration20261130171000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "operator_key" ("id" varchar(22) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "name" varchar(100) not null, "key_id" varchar(32) not null, "secret_hash" varchar(64) not null, "expires_at" timestamptz null, "revoked_at" timestamptz null, "last_used_at" timestamptz null, constraint "operator_key_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "operator_key" add constraint "operator_key_key_id_unique" unique ("key_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "operator_key" cascade;`);
  }
}
