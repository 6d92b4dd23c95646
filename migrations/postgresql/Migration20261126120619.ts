import { Migration } from '@mikro-orm/migrations';

/** The whole schema of the domain model in DESIGN.md. */
export class Migration20261126120619 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "login_attempt" ("id" varchar(22) not null, "email" varchar(254) not null, "ip" varchar(64) not null, "created_at" timestamptz not null, constraint "login_attempt_pkey" primary key ("id"));`);
    this.addSql(`create index "login_attempt_email_ip_created_at_index" on "login_attempt" ("email", "ip", "created_at");`);
    this.addSql(`create index "login_attempt_ip_created_at_index" on "login_attempt" ("ip", "created_at");`);

    this.addSql(`create table "partner" ("id" varchar(22) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "name" varchar(200) not null, "slug" varchar(80) not null, "terms_notice_days" int not null default 30, "terms_alignment" text check ("terms_alignment" in ('none', 'end_of_month')) not null default 'none', "terms_removal_grace_days" int not null default 14, "terms_billing_time_zone" varchar(64) not null default 'UTC', constraint "partner_pkey" primary key ("id"));`);
    this.addSql(`alter table "partner" add constraint "partner_slug_unique" unique ("slug");`);

    this.addSql(`create table "client" ("id" varchar(22) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "partner_id" varchar(22) not null, "provider_id" varchar(64) not null, "name" varchar(200) not null, "contact_email" varchar(254) null, "consent_status" text check ("consent_status" in ('pending', 'granted', 'withdrawn')) not null default 'pending', constraint "client_pkey" primary key ("id"));`);
    this.addSql(`alter table "client" add constraint "client_partner_id_provider_id_unique" unique ("partner_id", "provider_id");`);

    this.addSql(`create table "session" ("sid" varchar(64) not null, "user_id" varchar(22) null, "data" text not null, "expires_at" timestamptz not null, "absolute_expires_at" timestamptz not null, constraint "session_pkey" primary key ("sid"));`);
    this.addSql(`create index "session_expires_at_index" on "session" ("expires_at");`);
    this.addSql(`create index "session_user_id_index" on "session" ("user_id");`);

    this.addSql(`create table "user" ("id" varchar(22) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "email" varchar(254) not null, "name" varchar(200) not null, "password_hash" varchar(100) null, "disabled_at" timestamptz null, "last_sign_in_at" timestamptz null, "password_changed_at" timestamptz null, constraint "user_pkey" primary key ("id"));`);
    this.addSql(`alter table "user" add constraint "user_email_unique" unique ("email");`);

    this.addSql(`create table "membership" ("id" varchar(22) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "partner_id" varchar(22) not null, "user_id" varchar(22) not null, "role" text check ("role" in ('owner', 'member')) not null, "accepted_at" timestamptz null, "invited_by_id" varchar(22) null, constraint "membership_pkey" primary key ("id"));`);
    this.addSql(`create index "membership_user_id_index" on "membership" ("user_id");`);
    this.addSql(`alter table "membership" add constraint "membership_partner_id_user_id_unique" unique ("partner_id", "user_id");`);

    this.addSql(`create table "audit_event" ("id" varchar(22) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "partner_id" varchar(22) null, "actor_id" varchar(22) null, "actor_label" varchar(300) not null, "action" varchar(64) not null, "subject_type" varchar(32) null, "subject_id" varchar(64) null, "data" jsonb null, "ip" varchar(64) null, "request_id" varchar(64) null, constraint "audit_event_pkey" primary key ("id"));`);
    this.addSql(`create index "audit_event_actor_id_action_created_at_index" on "audit_event" ("actor_id", "action", "created_at");`);
    this.addSql(`create index "audit_event_partner_id_action_created_at_index" on "audit_event" ("partner_id", "action", "created_at");`);
    this.addSql(`create index "audit_event_partner_id_created_at_id_index" on "audit_event" ("partner_id", "created_at", "id");`);

    this.addSql(`create table "user_token" ("id" varchar(22) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "kind" text check ("kind" in ('invitation', 'password_reset')) not null, "user_id" varchar(22) not null, "partner_id" varchar(22) null, "token_hash" varchar(64) null, "expires_at" timestamptz not null, "consumed_at" timestamptz null, constraint "user_token_pkey" primary key ("id"));`);
    this.addSql(`alter table "user_token" add constraint "user_token_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "user_token_user_id_kind_index" on "user_token" ("user_id", "kind");`);

    this.addSql(`create table "outbox_email" ("id" varchar(22) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "partner_id" varchar(22) null, "to_address" varchar(254) not null, "template" varchar(64) not null, "payload" jsonb not null, "token_id" varchar(22) null, "status" text check ("status" in ('pending', 'sent', 'dead')) not null default 'pending', "attempts" int not null default 0, "next_attempt_at" timestamptz not null, "locked_until" timestamptz null, "last_error" text null, "sent_at" timestamptz null, constraint "outbox_email_pkey" primary key ("id"));`);
    this.addSql(`create index "outbox_email_status_next_attempt_at_index" on "outbox_email" ("status", "next_attempt_at");`);

    this.addSql(`create table "waba_account" ("id" varchar(22) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "partner_id" varchar(22) not null, "client_id" varchar(22) not null, "provider_id" varchar(64) not null, "external_id" varchar(64) not null, "namespace" varchar(128) null, "timezone_id" int null, "status" text check ("status" in ('created', 'consents_pending', 'unverified', 'approved', 'account_violation', 'account_restriction', 'account_banned', 'bsp_removed')) not null default 'created', "business_verification_status" text check ("business_verification_status" in ('verified', 'not_verified', 'pending_submission', 'pending', 'pending_need_more_info', 'rejected', 'failed')) not null default 'not_verified', "message_on_behalf_status" text check ("message_on_behalf_status" in ('unset', 'submitted', 'approved', 'rejected', 'denied')) not null default 'unset', constraint "waba_account_pkey" primary key ("id"));`);
    this.addSql(`alter table "waba_account" add constraint "waba_account_partner_id_provider_id_unique" unique ("partner_id", "provider_id");`);

    this.addSql(`create table "whatsapp_number" ("id" varchar(22) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "partner_id" varchar(22) not null, "client_id" varchar(22) not null, "waba_account_id" varchar(22) not null, "provider_id" varchar(64) not null, "external_id" varchar(64) not null, "phone_number" varchar(16) not null, "display_name" varchar(200) null, "status" text check ("status" in ('created', 'submitted', 'ready', 'running', 'live', 'error', 'suspended', 'inactive')) not null default 'created', "status_changed_at" timestamptz not null, "account_mode" varchar(16) null, "registration_status" text check ("registration_status" in ('not_registered', 'pending', 'registered', 'failed')) not null default 'not_registered', "registration_method" text check ("registration_method" in ('sms', 'voice')) null, "ivr" boolean not null default false, "quality_rating" text check ("quality_rating" in ('green', 'yellow', 'red', 'unknown')) not null default 'unknown', "messaging_tier" text check ("messaging_tier" in ('tier_250', 'tier_1k', 'tier_10k', 'tier_100k', 'unlimited')) not null default 'tier_250', "billing_state" text check ("billing_state" in ('partner_paid', 'revocation_requested', 'partner_billing_ended', 'removed')) not null default 'partner_paid', "revocation_id" varchar(22) null, "provider_created_at" timestamptz not null, "client_name" varchar(200) not null, "search_text" text not null, constraint "whatsapp_number_pkey" primary key ("id"));`);
    this.addSql(`create index "whatsapp_number_waba_account_id_index" on "whatsapp_number" ("waba_account_id");`);
    this.addSql(`create index "whatsapp_number_client_id_index" on "whatsapp_number" ("client_id");`);
    this.addSql(`create index "whatsapp_number_partner_id_phone_number_id_index" on "whatsapp_number" ("partner_id", "phone_number", "id");`);
    this.addSql(`create index "whatsapp_number_partner_id_client_name_id_index" on "whatsapp_number" ("partner_id", "client_name", "id");`);
    this.addSql(`create index "whatsapp_number_partner_id_provider_created_at_id_index" on "whatsapp_number" ("partner_id", "provider_created_at", "id");`);
    this.addSql(`create index "whatsapp_number_partner_id_billing_state_index" on "whatsapp_number" ("partner_id", "billing_state");`);
    this.addSql(`create index "whatsapp_number_partner_id_status_index" on "whatsapp_number" ("partner_id", "status");`);
    this.addSql(`create index "whatsapp_number_partner_id_external_id_index" on "whatsapp_number" ("partner_id", "external_id");`);
    this.addSql(`alter table "whatsapp_number" add constraint "whatsapp_number_partner_id_provider_id_unique" unique ("partner_id", "provider_id");`);

    this.addSql(`create table "revocation" ("id" varchar(22) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "partner_id" varchar(22) not null, "number_id" varchar(22) not null, "requested_by_id" varchar(22) null, "requested_at" timestamptz not null, "reason" varchar(500) null, "termination_date" varchar(10) not null, "billing_ends_at" timestamptz not null, "remove_at" timestamptz not null, "notice_days" int not null, "alignment" text check ("alignment" in ('none', 'end_of_month')) not null, "removal_grace_days" int not null, "billing_time_zone" varchar(64) not null, "withdrawn_at" timestamptz null, "withdrawn_by_id" varchar(22) null, "billing_ended_at" timestamptz null, "removed_at" timestamptz null, constraint "revocation_pkey" primary key ("id"));`);
    this.addSql(`create index "revocation_number_id_index" on "revocation" ("number_id");`);
    this.addSql(`create index "revocation_remove_at_index" on "revocation" ("remove_at");`);
    this.addSql(`create index "revocation_billing_ends_at_index" on "revocation" ("billing_ends_at");`);

    this.addSql(`create table "number_status_change" ("id" varchar(22) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "partner_id" varchar(22) not null, "number_id" varchar(22) not null, "family" varchar(32) not null, "from_value" varchar(40) null, "to_value" varchar(40) not null, "source" varchar(16) not null, "changed_at" timestamptz not null, constraint "number_status_change_pkey" primary key ("id"));`);
    this.addSql(`create index "number_status_change_number_id_changed_at_index" on "number_status_change" ("number_id", "changed_at");`);

    this.addSql(`alter table "client" add constraint "client_partner_id_foreign" foreign key ("partner_id") references "partner" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "membership" add constraint "membership_partner_id_foreign" foreign key ("partner_id") references "partner" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "membership" add constraint "membership_user_id_foreign" foreign key ("user_id") references "user" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "membership" add constraint "membership_invited_by_id_foreign" foreign key ("invited_by_id") references "user" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "audit_event" add constraint "audit_event_partner_id_foreign" foreign key ("partner_id") references "partner" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "audit_event" add constraint "audit_event_actor_id_foreign" foreign key ("actor_id") references "user" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "user_token" add constraint "user_token_user_id_foreign" foreign key ("user_id") references "user" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "user_token" add constraint "user_token_partner_id_foreign" foreign key ("partner_id") references "partner" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "outbox_email" add constraint "outbox_email_partner_id_foreign" foreign key ("partner_id") references "partner" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "outbox_email" add constraint "outbox_email_token_id_foreign" foreign key ("token_id") references "user_token" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "waba_account" add constraint "waba_account_partner_id_foreign" foreign key ("partner_id") references "partner" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "waba_account" add constraint "waba_account_client_id_foreign" foreign key ("client_id") references "client" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "whatsapp_number" add constraint "whatsapp_number_partner_id_foreign" foreign key ("partner_id") references "partner" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "whatsapp_number" add constraint "whatsapp_number_client_id_foreign" foreign key ("client_id") references "client" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "whatsapp_number" add constraint "whatsapp_number_waba_account_id_foreign" foreign key ("waba_account_id") references "waba_account" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "whatsapp_number" add constraint "whatsapp_number_revocation_id_foreign" foreign key ("revocation_id") references "revocation" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "revocation" add constraint "revocation_partner_id_foreign" foreign key ("partner_id") references "partner" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "revocation" add constraint "revocation_number_id_foreign" foreign key ("number_id") references "whatsapp_number" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "revocation" add constraint "revocation_requested_by_id_foreign" foreign key ("requested_by_id") references "user" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "revocation" add constraint "revocation_withdrawn_by_id_foreign" foreign key ("withdrawn_by_id") references "user" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "number_status_change" add constraint "number_status_change_partner_id_foreign" foreign key ("partner_id") references "partner" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "number_status_change" add constraint "number_status_change_number_id_foreign" foreign key ("number_id") references "whatsapp_number" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "number_status_change" cascade;');
    this.addSql('drop table if exists "revocation" cascade;');
    this.addSql('drop table if exists "whatsapp_number" cascade;');
    this.addSql('drop table if exists "waba_account" cascade;');
    this.addSql('drop table if exists "outbox_email" cascade;');
    this.addSql('drop table if exists "user_token" cascade;');
    this.addSql('drop table if exists "audit_event" cascade;');
    this.addSql('drop table if exists "membership" cascade;');
    this.addSql('drop table if exists "user" cascade;');
    this.addSql('drop table if exists "session" cascade;');
    this.addSql('drop table if exists "client" cascade;');
    this.addSql('drop table if exists "partner" cascade;');
    this.addSql('drop table if exists "login_attempt" cascade;');
  }
}
