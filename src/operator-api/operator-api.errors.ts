import { ApiProblem } from '../api';
import { DomainError } from '../common/domain-error';

/** The operator keys' business failures, as the operator:key commands print them. */
export const OperatorKeyErrors = {
  unknownKey: (id: string) => new DomainError('operator.unknown_key', `There is no operator key with the id "${id.slice(0, 40)}".`, 404),
  alreadyRevoked: () => new DomainError('operator.already_revoked', 'This operator key was already revoked.', 409),
};

/**
 * How the operator API refuses a key (401): the same answer for a malformed, unknown, wrong,
 * expired or revoked one; a clearer one for none and for a partner's API key, easy to mix up.
 */
export const OperatorKeyProblems = {
  missing: () => ApiProblem.unauthorized('Send an operator key: Authorization: Bearer phk_op_….', null),
  partnerKey: () => ApiProblem.unauthorized("A partner's API key does not open the operator API: send an operator key (phk_op_…)."),
  refused: () => ApiProblem.unauthorized('The operator key is not valid: it is unknown, expired or revoked.'),
};
