import { Migration } from '@mikro-orm/migrations';

/** Who asked for each revocation, as they were named then: an API key's too, which has no user. */
export class Migration20261203213000 extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table "revocation" add column "requested_by_label" varchar(300) null;');
  }

  override async down(): Promise<void> {
    this.addSql('alter table "revocation" drop column "requested_by_label";');
  }
}
