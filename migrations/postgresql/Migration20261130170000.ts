import { Migration } from '@mikro-orm/migrations';

/** The Partner API's Idempotency-Keys: one per API key and key (the unique constraint is the claim), with the answer kept 24 hours. */
export class Migration20261130170000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "api_idempotency_key" ("id" varchar(22) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "api_key_id" varchar(22) not null, "idempotency_key" varchar(255) not null, "fingerprint" varchar(64) not null, "response_status" int null, "response_body" text null, "expires_at" timestamptz not null, constraint "api_idempotency_key_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "api_idempotency_key" add constraint "api_idempotency_key_api_key_id_idempotency_key_unique" unique ("api_key_id", "idempotency_key");`,
    );
    this.addSql(
      `alter table "api_idempotency_key" add constraint "api_idempotency_key_api_key_id_foreign" foreign key ("api_key_id") references "api_key" ("id") on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "api_idempotency_key" cascade;`);
  }
}
