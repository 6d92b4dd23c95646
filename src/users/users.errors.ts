import { DomainError } from '../common/domain-error';

/** Team changes that are refused, with the sentence the owner sees. */
export const UsersErrors = {
  alreadyOnTeam: () => new DomainError('users.already_on_team', 'This email is already on the team.'),
  lastOwner: () =>
    new DomainError('users.last_owner', 'The last owner can be neither removed nor made a member. Make someone else an owner first.'),
  notInvited: () => new DomainError('users.not_invited', 'This person has already accepted the invitation.'),
  linkInvalid: () =>
    new DomainError(
      'users.link_invalid',
      'This link is not valid any more: it has expired, was already used, or was replaced by a newer one.',
      410,
    ),
  passwordRequired: () => new DomainError('users.password_required', 'Choose a password.'),
};
