import { Migration } from '@mikro-orm/migrations';

const COLUMNS = 'id, created_at, updated_at, partner_id, actor_id, actor_label, action, subject_type, subject_id, data, ip, request_id';

function createTable(constraints: string): string {
  return `create table \`audit_event\` (\`id\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`partner_id\` text null, \`actor_id\` text null, \`actor_label\` text not null, \`action\` text not null, \`subject_type\` text null, \`subject_id\` text null, \`data\` json null, \`ip\` text null, \`request_id\` text null, ${constraints}primary key (\`id\`));`;
}

const INDEXES = [
  'create index `audit_event_actor_id_action_created_at_index` on `audit_event` (`actor_id`, `action`, `created_at`);',
  'create index `audit_event_partner_id_action_created_at_index` on `audit_event` (`partner_id`, `action`, `created_at`);',
  'create index `audit_event_partner_id_created_at_id_index` on `audit_event` (`partner_id`, `created_at`, `id`);',
];

/**
 * The audit trail holds no foreign key into a feature's table (audit is core): partner_id and
 * actor_id stay, as plain ids, each still leading an index; their single-column indexes go with
 * their keys. SQLite drops a foreign key only by rebuilding the table; nothing references
 * audit_event, so its rows wait in a temporary table meanwhile.
 */
export class Migration20261130123000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create temp table \`audit_event_keep\` as select ${COLUMNS} from \`audit_event\`;`);
    this.addSql('drop table `audit_event`;');
    this.addSql(createTable(''));
    this.addSql(`insert into \`audit_event\` (${COLUMNS}) select ${COLUMNS} from temp.\`audit_event_keep\`;`);
    this.addSql('drop table temp.`audit_event_keep`;');
    for (const index of INDEXES) this.addSql(index);
  }

  override async down(): Promise<void> {
    this.addSql(`create temp table \`audit_event_keep\` as select ${COLUMNS} from \`audit_event\`;`);
    this.addSql('drop table `audit_event`;');
    this.addSql(
      createTable(
        'constraint `audit_event_partner_id_foreign` foreign key(`partner_id`) references `partner`(`id`) on delete cascade on update cascade, constraint `audit_event_actor_id_foreign` foreign key(`actor_id`) references `user`(`id`) on delete set null on update cascade, ',
      ),
    );
    // What the keys would have done meanwhile: a gone partner's events deleted, a gone actor unset.
    this.addSql(
      `insert into \`audit_event\` (${COLUMNS}) select ${COLUMNS.replace('actor_id', 'case when actor_id in (select id from `user`) then actor_id end')} from temp.\`audit_event_keep\` where partner_id is null or partner_id in (select id from \`partner\`);`,
    );
    this.addSql('drop table temp.`audit_event_keep`;');
    this.addSql('create index `audit_event_partner_id_index` on `audit_event` (`partner_id`);');
    this.addSql('create index `audit_event_actor_id_index` on `audit_event` (`actor_id`);');
    for (const index of INDEXES) this.addSql(index);
  }
}
