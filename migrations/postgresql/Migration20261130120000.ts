import { Migration } from '@mikro-orm/migrations';

/** The summary counts of each partner's numbers, kept current instead of counted per page view. */
export class Migration20261130120000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "number_summary" ("id" varchar(22) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "partner_id" varchar(22) not null, "by_status" text not null, "total" int not null, "attention" int not null, "changes" int not null, "recount_at" timestamptz null, constraint "number_summary_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "number_summary" add constraint "number_summary_partner_id_unique" unique ("partner_id");`);
    this.addSql(`create index "number_summary_recount_at_index" on "number_summary" ("recount_at");`);
    this.addSql(
      `alter table "number_summary" add constraint "number_summary_partner_id_foreign" foreign key ("partner_id") references "partner" ("id") on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "number_summary" cascade;`);
  }
}
