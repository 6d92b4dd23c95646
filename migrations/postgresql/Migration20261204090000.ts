import { Migration } from '@mikro-orm/migrations';

/**
 * An actor's label is "Name <email>": up to 457 characters, more than varchar(300) held (a
 * sign-in of such a person failed). From varchar to text PostgreSQL rewrites nothing.
 */
export class Migration20261204090000 extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table "audit_event" alter column "actor_label" type text using ("actor_label"::text);');
  }

  override async down(): Promise<void> {
    this.addSql('alter table "audit_event" alter column "actor_label" type varchar(300) using ("actor_label"::varchar(300));');
  }
}
