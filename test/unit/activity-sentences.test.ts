import { describe, expect, it } from 'vitest';
import { sentenceOf } from '../../src/audit/activity-sentences';

const text = (data: Record<string, unknown>) =>
  sentenceOf({ action: 'auth.sign_in_locked', actorLabel: 'Unknown visitor', data: { name: 'Lou Locked', ...data }, ip: '203.0.113.9' })
    .map((p) => p.text)
    .join('');

describe('the sentence of a sign-in pause', () => {
  it('says new browsers only for pauses recorded since browsers are known, not for older ones that paused every browser', () => {
    expect(text({ minutes: 15, newBrowsersOnly: true })).toMatch(/^Signing in as Lou Locked from new browsers was paused for 15 minutes/);
    expect(text({ minutes: 15 })).toMatch(/^Signing in as Lou Locked was paused for 15 minutes/);
  });
});
