import { describe, expect, it } from 'vitest';
import { phoneView } from '../../src/accounts/phone';

describe('a phone number for people', () => {
  it.each([
    ['+4915123456789', '+49 1512 3456789', 'DE', 'Germany'],
    ['+14155550123', '+1 415 555 0123', 'US', 'United States'],
    ['+442071838750', '+44 20 7183 8750', 'GB', 'United Kingdom'],
    ['+97143000000', '+971 4 300 0000', 'AE', 'United Arab Emirates'],
  ])('formats %s as %s in %s (%s)', (e164, formatted, countryCode, country) => {
    expect(phoneView(e164)).toEqual({ e164, formatted, countryCode, country });
  });

  it('keeps the stored E.164 form beside the formatted one', () => {
    expect(phoneView('+4915123456789').e164).toBe('+4915123456789');
  });

  it('formats a non-geographic number without a country', () => {
    const view = phoneView('+80012345678');
    expect(view.formatted).toBe('+800 1234 5678');
    expect(view.countryCode).toBeUndefined();
    expect(view.country).toBeUndefined();
  });

  it.each(['not a number', '', '+12', '+999123456', '4915123456789'])(
    'shows %j as stored, with no country, when it cannot be read',
    (raw) => {
      expect(phoneView(raw)).toEqual({ e164: raw, formatted: raw });
    },
  );

  it('formats a number too short to be valid without judging it', () => {
    expect(phoneView('+4915')).toMatchObject({ formatted: '+49 15', countryCode: 'DE' });
  });

  it('gives the same view every time for one number', () => {
    expect(phoneView('+14155550123')).toBe(phoneView('+14155550123'));
    expect(Object.isFrozen(phoneView('+14155550123'))).toBe(true);
  });
});
