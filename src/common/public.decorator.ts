import { applyDecorators, SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'isPublic';
export const OWNER_ONLY = 'ownerOnly';
export const GUEST_ONLY = 'guestOnly';

/** Marks a route that needs no signed-in member. Every other route does (deny by default). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Marks a route only owners may use; members get 403. */
export const OwnerOnly = () => SetMetadata(OWNER_ONLY, true);

/** Marks a page for the signed-out (sign-in): public, and a member is sent on to the accounts. */
export const GuestOnly = () => applyDecorators(Public(), SetMetadata(GUEST_ONLY, true));
