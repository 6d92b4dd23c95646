import { DomainError } from '../common/domain-error';

/** The operator keys' business failures, as the operator:key commands print them. */
export const OperatorKeyErrors = {
  unknownKey: (id: string) => new DomainError('operator.unknown_key', `There is no operator key with the id "${id.slice(0, 40)}".`, 404),
  alreadyRevoked: () => new DomainError('operator.already_revoked', 'This operator key was already revoked.', 409),
};
