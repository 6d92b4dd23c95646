// What the modules above auth (users) use besides its services and entities.
export { newPasswordErrors, newPasswordForm } from './password-policy';
export { hashPassword } from './passwords';
export { linkInvalid, pendingHash, stashToken } from './pending-token';
