import { DomainError } from '../common/domain-error';

/** The sentences the sign-in and password pages show for business failures. */
export const AuthErrors = {
  linkInvalid: () =>
    new DomainError(
      'auth.link_invalid',
      'This link is not valid any more: it has expired, was already used, or was replaced by a newer one.',
      410,
    ),
  wrongCurrentPassword: () => new DomainError('auth.wrong_current_password', 'The current password is incorrect.'),
};
