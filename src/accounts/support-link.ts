/**
 * The provider's support for one number (PROVIDER_SUPPORT_URL): a mailto: gets a subject that
 * names the number and its provider id, so that support knows which one; a page is linked as it
 * is. Undefined when no support address is configured.
 */
export function numberSupportHref(supportUrl: string | undefined, number: { phone: string; providerId: string }): string | undefined {
  if (!supportUrl?.startsWith('mailto:')) return supportUrl;
  if (/[?&]subject=/i.test(supportUrl)) return supportUrl;
  const subject = encodeURIComponent(`WhatsApp number ${number.phone} (Number ID ${number.providerId})`);
  return `${supportUrl}${supportUrl.includes('?') ? '&' : '?'}subject=${subject}`;
}
