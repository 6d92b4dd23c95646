import { Client } from '../accounts/entities/client.entity';
import { NumberStatusChange } from '../accounts/entities/number-status-change.entity';
import { WabaAccount } from '../accounts/entities/waba-account.entity';
import { WhatsappNumber } from '../accounts/entities/whatsapp-number.entity';
import { AuditEvent } from '../audit/entities/audit-event.entity';
import { SessionRecord } from '../auth/entities/session.entity';
import { UserToken } from '../auth/entities/user-token.entity';
import { OutboxEmail } from '../mail/entities/outbox-email.entity';
import { ContractTerms } from '../partners/entities/contract-terms.embeddable';
import { Partner } from '../partners/entities/partner.entity';
import { Revocation } from '../revocation/entities/revocation.entity';
import { RateLimit } from '../throttle/entities/rate-limit.entity';
import { Membership } from '../users/entities/membership.entity';
import { User } from '../users/entities/user.entity';
import { BaseEntity } from './base.entity';

/** Every entity, listed once: no folder scanning, so the same list works from src and dist. */
export const ENTITIES = [
  BaseEntity,
  ContractTerms,
  Partner,
  User,
  Membership,
  UserToken,
  SessionRecord,
  RateLimit,
  Client,
  WabaAccount,
  WhatsappNumber,
  NumberStatusChange,
  Revocation,
  AuditEvent,
  OutboxEmail,
];
