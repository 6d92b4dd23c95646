import { Migration } from '@mikro-orm/migrations';

/**
 * Indexes a list page reads alone: a page filtered by number status or billing, newest first,
 * and a client page's count of numbers per WABA account (see WhatsappNumber's indexes).
 */
export class Migration20261130180000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`drop index "whatsapp_number_waba_account_id_index";`);
    this.addSql(`drop index "whatsapp_number_partner_id_billing_state_index";`);
    this.addSql(`drop index "whatsapp_number_partner_id_status_index";`);
    this.addSql(
      `create index "whatsapp_number_waba_account_id_billing_state_index" on "whatsapp_number" ("waba_account_id", "billing_state");`,
    );
    this.addSql(
      `create index "whatsapp_number_partner_id_billing_state_provider__9f5ab_index" on "whatsapp_number" ("partner_id", "billing_state", "provider_created_at", "id");`,
    );
    this.addSql(
      `create index "whatsapp_number_partner_id_status_provider_created_29136_index" on "whatsapp_number" ("partner_id", "status", "provider_created_at", "id", "billing_state");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "whatsapp_number_waba_account_id_billing_state_index";`);
    this.addSql(`drop index "whatsapp_number_partner_id_billing_state_provider__9f5ab_index";`);
    this.addSql(`drop index "whatsapp_number_partner_id_status_provider_created_29136_index";`);
    this.addSql(`create index "whatsapp_number_waba_account_id_index" on "whatsapp_number" ("waba_account_id");`);
    this.addSql(`create index "whatsapp_number_partner_id_billing_state_index" on "whatsapp_number" ("partner_id", "billing_state");`);
    this.addSql(`create index "whatsapp_number_partner_id_status_index" on "whatsapp_number" ("partner_id", "status");`);
  }
}
