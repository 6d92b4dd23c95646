/**
 * The text a number is found by: its phone digits, display name, client name, contact email
 * and every external id, lower-cased. The import keeps it in step with its sources.
 */
export function searchTextFor(parts: {
  phoneNumber: string;
  displayName?: string | null;
  clientName: string;
  contactEmail?: string | null;
  ids: (string | null | undefined)[];
}): string {
  return [parts.phoneNumber.replace(/\D/g, ''), parts.displayName, parts.clientName, parts.contactEmail, ...parts.ids]
    .filter((p): p is string => !!p)
    .join(' ')
    .toLowerCase();
}
