import { Migration } from '@mikro-orm/migrations';

/**
 * A number no longer points at its revocation (accounts knows no revocation): the open one is
 * found by `revocation.number_id`, and a partial unique index keeps it to one per number.
 * SQLite cannot drop a column that a foreign key uses, and the migration runs in a transaction,
 * where foreign keys cannot be switched off; dropping the table would then delete the rows that
 * reference it (on delete cascade). So those rows are kept aside in temporary tables, the table
 * is rebuilt without the column, and the rows are put back.
 */
export class Migration20261130121000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      'create temp table `whatsapp_number_keep` as select id, created_at, updated_at, partner_id, client_id, waba_account_id, provider_id, external_id, phone_number, display_name, status, status_changed_at, account_mode, registration_status, registration_method, ivr, quality_rating, messaging_tier, billing_state, provider_created_at, client_name, search_text from `whatsapp_number`;',
    );
    this.addSql('create temp table `revocation_keep` as select * from `revocation`;');
    this.addSql('create temp table `number_status_change_keep` as select * from `number_status_change`;');
    this.addSql('drop table `whatsapp_number`;');
    this.addSql(
      `create table \`whatsapp_number\` (\`id\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`partner_id\` text not null, \`client_id\` text not null, \`waba_account_id\` text not null, \`provider_id\` text not null, \`external_id\` text not null, \`phone_number\` text not null, \`display_name\` text null, \`status\` text check (\`status\` in ('created', 'submitted', 'ready', 'running', 'live', 'error', 'suspended', 'inactive')) not null default 'created', \`status_changed_at\` datetime not null, \`account_mode\` text null, \`registration_status\` text check (\`registration_status\` in ('not_registered', 'pending', 'registered', 'failed')) not null default 'not_registered', \`registration_method\` text check (\`registration_method\` in ('sms', 'voice')) null, \`ivr\` integer not null default false, \`quality_rating\` text check (\`quality_rating\` in ('green', 'yellow', 'red', 'unknown')) not null default 'unknown', \`messaging_tier\` text check (\`messaging_tier\` in ('tier_250', 'tier_1k', 'tier_10k', 'tier_100k', 'unlimited')) not null default 'tier_250', \`billing_state\` text check (\`billing_state\` in ('partner_paid', 'revocation_requested', 'partner_billing_ended', 'removed')) not null default 'partner_paid', \`provider_created_at\` datetime not null, \`client_name\` text not null, \`search_text\` text not null, constraint \`whatsapp_number_partner_id_foreign\` foreign key(\`partner_id\`) references \`partner\`(\`id\`) on delete cascade on update cascade, constraint \`whatsapp_number_client_id_foreign\` foreign key(\`client_id\`) references \`client\`(\`id\`) on delete cascade on update cascade, constraint \`whatsapp_number_waba_account_id_foreign\` foreign key(\`waba_account_id\`) references \`waba_account\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`,
    );
    this.addSql(
      'insert into `whatsapp_number` (id, created_at, updated_at, partner_id, client_id, waba_account_id, provider_id, external_id, phone_number, display_name, status, status_changed_at, account_mode, registration_status, registration_method, ivr, quality_rating, messaging_tier, billing_state, provider_created_at, client_name, search_text) select id, created_at, updated_at, partner_id, client_id, waba_account_id, provider_id, external_id, phone_number, display_name, status, status_changed_at, account_mode, registration_status, registration_method, ivr, quality_rating, messaging_tier, billing_state, provider_created_at, client_name, search_text from temp.`whatsapp_number_keep`;',
    );
    this.addSql('insert into `revocation` select * from temp.`revocation_keep`;');
    this.addSql('insert into `number_status_change` select * from temp.`number_status_change_keep`;');
    this.addSql('drop table temp.`whatsapp_number_keep`;');
    this.addSql('drop table temp.`revocation_keep`;');
    this.addSql('drop table temp.`number_status_change_keep`;');
    this.addSql(`create index \`whatsapp_number_partner_id_index\` on \`whatsapp_number\` (\`partner_id\`);`);
    this.addSql(`create index \`whatsapp_number_waba_account_id_index\` on \`whatsapp_number\` (\`waba_account_id\`);`);
    this.addSql(`create index \`whatsapp_number_client_id_index\` on \`whatsapp_number\` (\`client_id\`);`);
    this.addSql(
      `create index \`whatsapp_number_partner_id_phone_number_id_index\` on \`whatsapp_number\` (\`partner_id\`, \`phone_number\`, \`id\`);`,
    );
    this.addSql(
      `create index \`whatsapp_number_partner_id_client_name_id_index\` on \`whatsapp_number\` (\`partner_id\`, \`client_name\`, \`id\`);`,
    );
    this.addSql(
      `create index \`whatsapp_number_partner_id_provider_created_at_id_index\` on \`whatsapp_number\` (\`partner_id\`, \`provider_created_at\`, \`id\`);`,
    );
    this.addSql(
      `create index \`whatsapp_number_partner_id_billing_state_index\` on \`whatsapp_number\` (\`partner_id\`, \`billing_state\`);`,
    );
    this.addSql(`create index \`whatsapp_number_partner_id_status_index\` on \`whatsapp_number\` (\`partner_id\`, \`status\`);`);
    this.addSql(`create index \`whatsapp_number_partner_id_external_id_index\` on \`whatsapp_number\` (\`partner_id\`, \`external_id\`);`);
    this.addSql(
      `create unique index \`whatsapp_number_partner_id_provider_id_unique\` on \`whatsapp_number\` (\`partner_id\`, \`provider_id\`);`,
    );
    this.addSql('create unique index `revocation_open_number_id_unique` on `revocation` (`number_id`) where `withdrawn_at` is null;');
  }

  override async down(): Promise<void> {
    this.addSql('drop index `revocation_open_number_id_unique`;');
    this.addSql(
      'alter table `whatsapp_number` add column `revocation_id` text null constraint `whatsapp_number_revocation_id_foreign` references `revocation` (`id`) on delete set null on update cascade;',
    );
    this.addSql('create index `whatsapp_number_revocation_id_index` on `whatsapp_number` (`revocation_id`);');
    this.addSql(
      'update `whatsapp_number` set `revocation_id` = (select `r`.`id` from `revocation` `r` where `r`.`number_id` = `whatsapp_number`.`id` and `r`.`withdrawn_at` is null);',
    );
  }
}
