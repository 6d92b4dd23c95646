import { Migration } from '@mikro-orm/migrations';

/** Rate limits counted atomically (one upsert per claim) replace the failed-sign-in log. */
export class Migration20261130110000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "rate_limit" ("key" varchar(80) not null, "points" int not null, "resets_at" timestamptz not null, constraint "rate_limit_pkey" primary key ("key"));`,
    );
    this.addSql(`create index "rate_limit_resets_at_index" on "rate_limit" ("resets_at");`);

    this.addSql(`drop table if exists "login_attempt" cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(
      `create table "login_attempt" ("id" varchar(22) not null, "email" varchar(254) not null, "ip" varchar(64) not null, "created_at" timestamptz not null, constraint "login_attempt_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "login_attempt_email_ip_created_at_index" on "login_attempt" ("email", "ip", "created_at");`);
    this.addSql(`create index "login_attempt_ip_created_at_index" on "login_attempt" ("ip", "created_at");`);

    this.addSql(`drop table if exists "rate_limit" cascade;`);
  }
}
