import { DomainError } from '../common/domain-error';

export const MAX_LIVE_KEYS = 20;

/** The API keys' business failures, as the settings pages show them. */
export const ApiKeyErrors = {
  tooManyKeys: () =>
    new DomainError('api.too_many_keys', `A partner can have at most ${MAX_LIVE_KEYS} live API keys. Revoke one you no longer use first.`),
  formAlreadySent: (key: { name: string; prefix: string }) =>
    new DomainError(
      'api.form_already_sent',
      `This form was already sent: it created the key "${key.name}" (${key.prefix}…), shown once. If you did not copy it, revoke it and create another.`,
      409,
    ),
  alreadyRevoked: () => new DomainError('api.already_revoked', 'This API key was already revoked.', 409),
};
