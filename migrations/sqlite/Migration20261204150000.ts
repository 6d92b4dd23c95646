import { Migration } from '@mikro-orm/migrations';

/**
 * Who asked for a revocation made before `requested_by_label` existed, taken from its
 * `revocation.requested` event (Activity's "Name <email>" as the revocation's "Name (email)"),
 * where no person is linked any more (an API key, a person deleted since).
 */
export class Migration20261204150000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`update \`revocation\` set \`requested_by_label\` = (
        select case when e.\`actor_label\` like '% <%>'
               then substr(e.\`actor_label\`, 1, instr(e.\`actor_label\`, ' <') - 1) || ' (' || substr(e.\`actor_label\`, instr(e.\`actor_label\`, ' <') + 2, length(e.\`actor_label\`) - instr(e.\`actor_label\`, ' <') - 2) || ')'
               else e.\`actor_label\` end
          from \`audit_event\` e
         where e.\`action\` = 'revocation.requested' and e.\`partner_id\` = \`revocation\`.\`partner_id\`
           and json_extract(e.\`data\`, '$.revocationId') = \`revocation\`.\`id\`
         limit 1)
      where \`requested_by_label\` is null and \`requested_by_id\` is null;`);
  }

  override async down(): Promise<void> {
    // The labels stay: they say what Activity says.
  }
}
