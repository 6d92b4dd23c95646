import { Migration } from '@mikro-orm/migrations';

/** The audit trail holds no foreign key into a feature's table (audit is core): plain ids stay. */
export class Migration20261130123000 extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table "audit_event" drop constraint "audit_event_partner_id_foreign";');
    this.addSql('alter table "audit_event" drop constraint "audit_event_actor_id_foreign";');
  }

  override async down(): Promise<void> {
    // What the keys would have done meanwhile: a gone partner's events deleted, a gone actor unset.
    this.addSql('delete from "audit_event" where "partner_id" is not null and "partner_id" not in (select "id" from "partner");');
    this.addSql('update "audit_event" set "actor_id" = null where "actor_id" is not null and "actor_id" not in (select "id" from "user");');
    this.addSql(
      'alter table "audit_event" add constraint "audit_event_partner_id_foreign" foreign key ("partner_id") references "partner" ("id") on update cascade on delete cascade;',
    );
    this.addSql(
      'alter table "audit_event" add constraint "audit_event_actor_id_foreign" foreign key ("actor_id") references "user" ("id") on update cascade on delete set null;',
    );
  }
}
