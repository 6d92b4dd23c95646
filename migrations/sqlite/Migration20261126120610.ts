import { Migration } from '@mikro-orm/migrations';

/** The whole schema of the domain model in DESIGN.md. */
export class Migration20261126120610 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`login_attempt\` (\`id\` text not null, \`email\` text not null, \`ip\` text not null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`login_attempt_email_ip_created_at_index\` on \`login_attempt\` (\`email\`, \`ip\`, \`created_at\`);`);
    this.addSql(`create index \`login_attempt_ip_created_at_index\` on \`login_attempt\` (\`ip\`, \`created_at\`);`);

    this.addSql(`create table \`partner\` (\`id\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`name\` text not null, \`slug\` text not null, \`terms_notice_days\` integer not null default 30, \`terms_alignment\` text check (\`terms_alignment\` in ('none', 'end_of_month')) not null default 'none', \`terms_removal_grace_days\` integer not null default 14, \`terms_billing_time_zone\` text not null default 'UTC', primary key (\`id\`));`);
    this.addSql(`create unique index \`partner_slug_unique\` on \`partner\` (\`slug\`);`);

    this.addSql(`create table \`client\` (\`id\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`partner_id\` text not null, \`provider_id\` text not null, \`name\` text not null, \`contact_email\` text null, \`consent_status\` text check (\`consent_status\` in ('pending', 'granted', 'withdrawn')) not null default 'pending', constraint \`client_partner_id_foreign\` foreign key(\`partner_id\`) references \`partner\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`client_partner_id_index\` on \`client\` (\`partner_id\`);`);
    this.addSql(`create unique index \`client_partner_id_provider_id_unique\` on \`client\` (\`partner_id\`, \`provider_id\`);`);

    this.addSql(`create table \`session\` (\`sid\` text not null, \`user_id\` text null, \`data\` text not null, \`expires_at\` datetime not null, \`absolute_expires_at\` datetime not null, primary key (\`sid\`));`);
    this.addSql(`create index \`session_expires_at_index\` on \`session\` (\`expires_at\`);`);
    this.addSql(`create index \`session_user_id_index\` on \`session\` (\`user_id\`);`);

    this.addSql(`create table \`user\` (\`id\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`email\` text not null, \`name\` text not null, \`password_hash\` text null, \`disabled_at\` datetime null, \`last_sign_in_at\` datetime null, \`password_changed_at\` datetime null, primary key (\`id\`));`);
    this.addSql(`create unique index \`user_email_unique\` on \`user\` (\`email\`);`);

    this.addSql(`create table \`membership\` (\`id\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`partner_id\` text not null, \`user_id\` text not null, \`role\` text check (\`role\` in ('owner', 'member')) not null, \`accepted_at\` datetime null, \`invited_by_id\` text null, constraint \`membership_partner_id_foreign\` foreign key(\`partner_id\`) references \`partner\`(\`id\`) on delete cascade on update cascade, constraint \`membership_user_id_foreign\` foreign key(\`user_id\`) references \`user\`(\`id\`) on delete cascade on update cascade, constraint \`membership_invited_by_id_foreign\` foreign key(\`invited_by_id\`) references \`user\`(\`id\`) on delete set null on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`membership_partner_id_index\` on \`membership\` (\`partner_id\`);`);
    this.addSql(`create index \`membership_invited_by_id_index\` on \`membership\` (\`invited_by_id\`);`);
    this.addSql(`create index \`membership_user_id_index\` on \`membership\` (\`user_id\`);`);
    this.addSql(`create unique index \`membership_partner_id_user_id_unique\` on \`membership\` (\`partner_id\`, \`user_id\`);`);

    this.addSql(`create table \`audit_event\` (\`id\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`partner_id\` text null, \`actor_id\` text null, \`actor_label\` text not null, \`action\` text not null, \`subject_type\` text null, \`subject_id\` text null, \`data\` json null, \`ip\` text null, \`request_id\` text null, constraint \`audit_event_partner_id_foreign\` foreign key(\`partner_id\`) references \`partner\`(\`id\`) on delete cascade on update cascade, constraint \`audit_event_actor_id_foreign\` foreign key(\`actor_id\`) references \`user\`(\`id\`) on delete set null on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`audit_event_partner_id_index\` on \`audit_event\` (\`partner_id\`);`);
    this.addSql(`create index \`audit_event_actor_id_index\` on \`audit_event\` (\`actor_id\`);`);
    this.addSql(`create index \`audit_event_actor_id_action_created_at_index\` on \`audit_event\` (\`actor_id\`, \`action\`, \`created_at\`);`);
    this.addSql(`create index \`audit_event_partner_id_action_created_at_index\` on \`audit_event\` (\`partner_id\`, \`action\`, \`created_at\`);`);
    this.addSql(`create index \`audit_event_partner_id_created_at_id_index\` on \`audit_event\` (\`partner_id\`, \`created_at\`, \`id\`);`);

    this.addSql(`create table \`user_token\` (\`id\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`kind\` text check (\`kind\` in ('invitation', 'password_reset')) not null, \`user_id\` text not null, \`partner_id\` text null, \`token_hash\` text null, \`expires_at\` datetime not null, \`consumed_at\` datetime null, constraint \`user_token_user_id_foreign\` foreign key(\`user_id\`) references \`user\`(\`id\`) on delete cascade on update cascade, constraint \`user_token_partner_id_foreign\` foreign key(\`partner_id\`) references \`partner\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`user_token_user_id_index\` on \`user_token\` (\`user_id\`);`);
    this.addSql(`create index \`user_token_partner_id_index\` on \`user_token\` (\`partner_id\`);`);
    this.addSql(`create unique index \`user_token_token_hash_unique\` on \`user_token\` (\`token_hash\`);`);
    this.addSql(`create index \`user_token_user_id_kind_index\` on \`user_token\` (\`user_id\`, \`kind\`);`);

    this.addSql(`create table \`outbox_email\` (\`id\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`partner_id\` text null, \`to_address\` text not null, \`template\` text not null, \`payload\` json not null, \`token_id\` text null, \`status\` text check (\`status\` in ('pending', 'sent', 'dead')) not null default 'pending', \`attempts\` integer not null default 0, \`next_attempt_at\` datetime not null, \`locked_until\` datetime null, \`last_error\` text null, \`sent_at\` datetime null, constraint \`outbox_email_partner_id_foreign\` foreign key(\`partner_id\`) references \`partner\`(\`id\`) on delete cascade on update cascade, constraint \`outbox_email_token_id_foreign\` foreign key(\`token_id\`) references \`user_token\`(\`id\`) on delete set null on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`outbox_email_partner_id_index\` on \`outbox_email\` (\`partner_id\`);`);
    this.addSql(`create index \`outbox_email_token_id_index\` on \`outbox_email\` (\`token_id\`);`);
    this.addSql(`create index \`outbox_email_status_next_attempt_at_index\` on \`outbox_email\` (\`status\`, \`next_attempt_at\`);`);

    this.addSql(`create table \`waba_account\` (\`id\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`partner_id\` text not null, \`client_id\` text not null, \`provider_id\` text not null, \`external_id\` text not null, \`namespace\` text null, \`timezone_id\` integer null, \`status\` text check (\`status\` in ('created', 'consents_pending', 'unverified', 'approved', 'account_violation', 'account_restriction', 'account_banned', 'bsp_removed')) not null default 'created', \`business_verification_status\` text check (\`business_verification_status\` in ('verified', 'not_verified', 'pending_submission', 'pending', 'pending_need_more_info', 'rejected', 'failed')) not null default 'not_verified', \`message_on_behalf_status\` text check (\`message_on_behalf_status\` in ('unset', 'submitted', 'approved', 'rejected', 'denied')) not null default 'unset', constraint \`waba_account_partner_id_foreign\` foreign key(\`partner_id\`) references \`partner\`(\`id\`) on delete cascade on update cascade, constraint \`waba_account_client_id_foreign\` foreign key(\`client_id\`) references \`client\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`waba_account_partner_id_index\` on \`waba_account\` (\`partner_id\`);`);
    this.addSql(`create index \`waba_account_client_id_index\` on \`waba_account\` (\`client_id\`);`);
    this.addSql(`create unique index \`waba_account_partner_id_provider_id_unique\` on \`waba_account\` (\`partner_id\`, \`provider_id\`);`);

    this.addSql(`create table \`whatsapp_number\` (\`id\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`partner_id\` text not null, \`client_id\` text not null, \`waba_account_id\` text not null, \`provider_id\` text not null, \`external_id\` text not null, \`phone_number\` text not null, \`display_name\` text null, \`status\` text check (\`status\` in ('created', 'submitted', 'ready', 'running', 'live', 'error', 'suspended', 'inactive')) not null default 'created', \`status_changed_at\` datetime not null, \`account_mode\` text null, \`registration_status\` text check (\`registration_status\` in ('not_registered', 'pending', 'registered', 'failed')) not null default 'not_registered', \`registration_method\` text check (\`registration_method\` in ('sms', 'voice')) null, \`ivr\` integer not null default false, \`quality_rating\` text check (\`quality_rating\` in ('green', 'yellow', 'red', 'unknown')) not null default 'unknown', \`messaging_tier\` text check (\`messaging_tier\` in ('tier_250', 'tier_1k', 'tier_10k', 'tier_100k', 'unlimited')) not null default 'tier_250', \`billing_state\` text check (\`billing_state\` in ('partner_paid', 'revocation_requested', 'partner_billing_ended', 'removed')) not null default 'partner_paid', \`revocation_id\` text null, \`provider_created_at\` datetime not null, \`client_name\` text not null, \`search_text\` text not null, constraint \`whatsapp_number_partner_id_foreign\` foreign key(\`partner_id\`) references \`partner\`(\`id\`) on delete cascade on update cascade, constraint \`whatsapp_number_client_id_foreign\` foreign key(\`client_id\`) references \`client\`(\`id\`) on delete cascade on update cascade, constraint \`whatsapp_number_waba_account_id_foreign\` foreign key(\`waba_account_id\`) references \`waba_account\`(\`id\`) on delete cascade on update cascade, constraint \`whatsapp_number_revocation_id_foreign\` foreign key(\`revocation_id\`) references \`revocation\`(\`id\`) on delete set null on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`whatsapp_number_partner_id_index\` on \`whatsapp_number\` (\`partner_id\`);`);
    this.addSql(`create index \`whatsapp_number_revocation_id_index\` on \`whatsapp_number\` (\`revocation_id\`);`);
    this.addSql(`create index \`whatsapp_number_waba_account_id_index\` on \`whatsapp_number\` (\`waba_account_id\`);`);
    this.addSql(`create index \`whatsapp_number_client_id_index\` on \`whatsapp_number\` (\`client_id\`);`);
    this.addSql(`create index \`whatsapp_number_partner_id_phone_number_id_index\` on \`whatsapp_number\` (\`partner_id\`, \`phone_number\`, \`id\`);`);
    this.addSql(`create index \`whatsapp_number_partner_id_client_name_id_index\` on \`whatsapp_number\` (\`partner_id\`, \`client_name\`, \`id\`);`);
    this.addSql(`create index \`whatsapp_number_partner_id_provider_created_at_id_index\` on \`whatsapp_number\` (\`partner_id\`, \`provider_created_at\`, \`id\`);`);
    this.addSql(`create index \`whatsapp_number_partner_id_billing_state_index\` on \`whatsapp_number\` (\`partner_id\`, \`billing_state\`);`);
    this.addSql(`create index \`whatsapp_number_partner_id_status_index\` on \`whatsapp_number\` (\`partner_id\`, \`status\`);`);
    this.addSql(`create index \`whatsapp_number_partner_id_external_id_index\` on \`whatsapp_number\` (\`partner_id\`, \`external_id\`);`);
    this.addSql(`create unique index \`whatsapp_number_partner_id_provider_id_unique\` on \`whatsapp_number\` (\`partner_id\`, \`provider_id\`);`);

    this.addSql(`create table \`revocation\` (\`id\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`partner_id\` text not null, \`number_id\` text not null, \`requested_by_id\` text null, \`requested_at\` datetime not null, \`reason\` text null, \`termination_date\` text not null, \`billing_ends_at\` datetime not null, \`remove_at\` datetime not null, \`notice_days\` integer not null, \`alignment\` text check (\`alignment\` in ('none', 'end_of_month')) not null, \`removal_grace_days\` integer not null, \`billing_time_zone\` text not null, \`withdrawn_at\` datetime null, \`withdrawn_by_id\` text null, \`billing_ended_at\` datetime null, \`removed_at\` datetime null, constraint \`revocation_partner_id_foreign\` foreign key(\`partner_id\`) references \`partner\`(\`id\`) on delete cascade on update cascade, constraint \`revocation_number_id_foreign\` foreign key(\`number_id\`) references \`whatsapp_number\`(\`id\`) on delete cascade on update cascade, constraint \`revocation_requested_by_id_foreign\` foreign key(\`requested_by_id\`) references \`user\`(\`id\`) on delete set null on update cascade, constraint \`revocation_withdrawn_by_id_foreign\` foreign key(\`withdrawn_by_id\`) references \`user\`(\`id\`) on delete set null on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`revocation_partner_id_index\` on \`revocation\` (\`partner_id\`);`);
    this.addSql(`create index \`revocation_requested_by_id_index\` on \`revocation\` (\`requested_by_id\`);`);
    this.addSql(`create index \`revocation_withdrawn_by_id_index\` on \`revocation\` (\`withdrawn_by_id\`);`);
    this.addSql(`create index \`revocation_number_id_index\` on \`revocation\` (\`number_id\`);`);
    this.addSql(`create index \`revocation_remove_at_index\` on \`revocation\` (\`remove_at\`);`);
    this.addSql(`create index \`revocation_billing_ends_at_index\` on \`revocation\` (\`billing_ends_at\`);`);

    this.addSql(`create table \`number_status_change\` (\`id\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`partner_id\` text not null, \`number_id\` text not null, \`family\` text not null, \`from_value\` text null, \`to_value\` text not null, \`source\` text not null, \`changed_at\` datetime not null, constraint \`number_status_change_partner_id_foreign\` foreign key(\`partner_id\`) references \`partner\`(\`id\`) on delete cascade on update cascade, constraint \`number_status_change_number_id_foreign\` foreign key(\`number_id\`) references \`whatsapp_number\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`number_status_change_partner_id_index\` on \`number_status_change\` (\`partner_id\`);`);
    this.addSql(`create index \`number_status_change_number_id_index\` on \`number_status_change\` (\`number_id\`);`);
    this.addSql(`create index \`number_status_change_number_id_changed_at_index\` on \`number_status_change\` (\`number_id\`, \`changed_at\`);`);
  }

  override async down(): Promise<void> {
    this.addSql('pragma foreign_keys = off;');
    this.addSql('drop table if exists `number_status_change`;');
    this.addSql('drop table if exists `revocation`;');
    this.addSql('drop table if exists `whatsapp_number`;');
    this.addSql('drop table if exists `waba_account`;');
    this.addSql('drop table if exists `outbox_email`;');
    this.addSql('drop table if exists `user_token`;');
    this.addSql('drop table if exists `audit_event`;');
    this.addSql('drop table if exists `membership`;');
    this.addSql('drop table if exists `user`;');
    this.addSql('drop table if exists `session`;');
    this.addSql('drop table if exists `client`;');
    this.addSql('drop table if exists `partner`;');
    this.addSql('drop table if exists `login_attempt`;');
    this.addSql('pragma foreign_keys = on;');
  }
}
