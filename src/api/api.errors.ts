import { DomainError } from '../common/domain-error';

export const MAX_LIVE_KEYS = 20;

/** The API keys' business failures, as the settings pages show them. */
export const ApiKeyErrors = {
  tooManyKeys: () =>
    new DomainError('api.too_many_keys', `A partner can have at most ${MAX_LIVE_KEYS} live API keys. Revoke one you no longer use first.`),
  alreadyRevoked: () => new DomainError('api.already_revoked', 'This API key was already revoked.', 409),
};
