import { ACCOUNTS_ENTITIES } from './accounts/accounts.module';
import { API_ENTITIES } from './api/api.module';
import { AUDIT_ENTITIES } from './audit/audit.module';
import { AUTH_ENTITIES } from './auth/auth.module';
import { MAIL_ENTITIES } from './mail/mail.module';
import { METRICS_ENTITIES } from './metrics/metrics.module';
import { OPERATOR_API_ENTITIES } from './operator-api/operator-api.module';
import { PARTNERS_ENTITIES } from './partners/partners.module';
import { REVOCATION_ENTITIES } from './revocation/revocation.module';
import { THROTTLE_ENTITIES } from './throttle/throttle.module';

/**
 * Every module's entities, for what opens the ORM without the app (the CLI's db commands, the
 * tests that do): the app itself gets them from each module's MikroOrmModule.forFeature. No
 * folder scanning, so the same list works from src and dist.
 */
export const ENTITIES = [
  ...PARTNERS_ENTITIES,
  ...AUTH_ENTITIES,
  ...THROTTLE_ENTITIES,
  ...ACCOUNTS_ENTITIES,
  ...REVOCATION_ENTITIES,
  ...AUDIT_ENTITIES,
  ...MAIL_ENTITIES,
  ...API_ENTITIES,
  ...OPERATOR_API_ENTITIES,
  ...METRICS_ENTITIES,
];
