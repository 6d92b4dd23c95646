import { Migration } from '@mikro-orm/migrations';

/** The time zone each person reads times in (null: their partner's billing time zone). */
export class Migration20261130150000 extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table "user" add column "time_zone" varchar(64) null;');
  }

  override async down(): Promise<void> {
    this.addSql('alter table "user" drop column "time_zone";');
  }
}
