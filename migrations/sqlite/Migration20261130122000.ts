import { Migration } from '@mikro-orm/migrations';

const COLUMNS =
  'id, created_at, updated_at, partner_id, to_address, template, payload, token_id, status, attempts, next_attempt_at, locked_until, last_error, sent_at';

function createTable(constraints: string): string {
  return `create table \`outbox_email\` (\`id\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`partner_id\` text null, \`to_address\` text not null, \`template\` text not null, \`payload\` json not null, \`token_id\` text null, \`status\` text check (\`status\` in ('pending', 'sent', 'dead')) not null default 'pending', \`attempts\` integer not null default 0, \`next_attempt_at\` datetime not null, \`locked_until\` datetime null, \`last_error\` text null, \`sent_at\` datetime null, ${constraints}primary key (\`id\`));`;
}

/**
 * The outbox holds no foreign key into another module's table (mail knows no partner and no
 * user_token): partner_id and token_id stay, as plain values. token_id keeps its index (the
 * housekeeping's "still awaited by an email" lookup); partner_id's goes with its key. SQLite
 * drops a foreign key only by rebuilding the table; nothing references outbox_email, so its rows
 * wait in a temporary table meanwhile.
 */
export class Migration20261130122000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create temp table \`outbox_email_keep\` as select ${COLUMNS} from \`outbox_email\`;`);
    this.addSql('drop table `outbox_email`;');
    this.addSql(createTable(''));
    this.addSql(`insert into \`outbox_email\` (${COLUMNS}) select ${COLUMNS} from temp.\`outbox_email_keep\`;`);
    this.addSql('drop table temp.`outbox_email_keep`;');
    this.addSql('create index `outbox_email_token_id_index` on `outbox_email` (`token_id`);');
    this.addSql('create index `outbox_email_status_next_attempt_at_index` on `outbox_email` (`status`, `next_attempt_at`);');
  }

  override async down(): Promise<void> {
    this.addSql(`create temp table \`outbox_email_keep\` as select ${COLUMNS} from \`outbox_email\`;`);
    this.addSql('drop table `outbox_email`;');
    this.addSql(
      createTable(
        'constraint `outbox_email_partner_id_foreign` foreign key(`partner_id`) references `partner`(`id`) on delete cascade on update cascade, constraint `outbox_email_token_id_foreign` foreign key(`token_id`) references `user_token`(`id`) on delete set null on update cascade, ',
      ),
    );
    // What the keys would have done meanwhile: a gone partner's emails deleted, a gone token's link unset.
    this.addSql(
      `insert into \`outbox_email\` (${COLUMNS}) select ${COLUMNS.replace('token_id', 'case when token_id in (select id from `user_token`) then token_id end')} from temp.\`outbox_email_keep\` where partner_id is null or partner_id in (select id from \`partner\`);`,
    );
    this.addSql('drop table temp.`outbox_email_keep`;');
    this.addSql('create index `outbox_email_partner_id_index` on `outbox_email` (`partner_id`);');
    this.addSql('create index `outbox_email_token_id_index` on `outbox_email` (`token_id`);');
    this.addSql('create index `outbox_email_status_next_attempt_at_index` on `outbox_email` (`status`, `next_attempt_at`);');
  }
}
