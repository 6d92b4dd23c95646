import { z } from 'zod';
import { newPasswordForm } from '../../auth';
import { email, text } from '../../common/forms';
import { ROLES } from '../../auth/entities/membership.entity';

/** + Add user: name, email and role of the person to invite. */
export const inviteUserForm = z.object({
  name: text('Name', 200),
  email: email(),
  role: z.enum(ROLES as ['owner', 'member'], { message: 'Choose owner or member.' }),
});
export type InviteUser = z.output<typeof inviteUserForm>;

export const changeRoleForm = z.object({ role: z.enum(ROLES as ['owner', 'member'], { message: 'Choose owner or member.' }) });

/** Create Password: a person new to the hub gives their own name and a password. */
export const newcomerForm = newPasswordForm.extend({ name: text('Your name', 200) });
