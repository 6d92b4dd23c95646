import { Migration } from '@mikro-orm/migrations';

/**
 * The name an invited person's team typed, kept on the membership instead of read back from
 * Activity; pending invitations take it from their latest invitation event.
 */
export class Migration20261203122240 extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table `membership` add column `invited_name` text null;');
    this.addSql(
      "update `membership` set `invited_name` = (select json_extract(e.`data`, '$.name') from `audit_event` e where e.`subject_id` = `membership`.`id` and e.`partner_id` = `membership`.`partner_id` and e.`action` = 'team.invited' order by e.`created_at` desc limit 1) where `accepted_at` is null;",
    );
  }

  override async down(): Promise<void> {
    this.addSql('alter table `membership` drop column `invited_name`;');
  }
}
