import { Migration } from '@mikro-orm/migrations';

/**
 * Who asked for a revocation made before `requested_by_label` existed, taken from its
 * `revocation.requested` event (Activity's "Name <email>" as the revocation's "Name (email)"),
 * where no person is linked any more (an API key, a person deleted since). And the label as
 * text where Migration20261203213000 made it varchar(300) (a no-op where it is text already).
 */
export class Migration20261204150000 extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table "revocation" alter column "requested_by_label" type text using ("requested_by_label"::text);');
    this.addSql(`update "revocation" r set "requested_by_label" = regexp_replace(e."actor_label", ' <([^<>]*)>$', ' (\\1)')
      from "audit_event" e
      where r."requested_by_label" is null and r."requested_by_id" is null
        and e."action" = 'revocation.requested' and e."partner_id" = r."partner_id" and e."data"->>'revocationId' = r."id";`);
  }

  override async down(): Promise<void> {
    // The labels stay: they say what Activity says.
  }
}
