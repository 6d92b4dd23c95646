// What the modules above auth (users) use besides its services and entities.
export { newPasswordErrors, newPasswordForm } from './password-policy';
export { markBrowserKnown } from './known-browser';
export { hashPassword } from './passwords';
export { linkInvalid, pendingHash, stashToken } from './pending-token';
