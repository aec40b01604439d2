/**
 * followAbort: any number of followers of one signal share a single 'abort' listener, each is
 * called once with the signal's reason, leaving stops it, and the last to leave removes the listener.
 */
import { getEventListeners } from 'node:events';

import { describe, expect, it } from 'vitest';

import { followAbort } from '../../src/utils/abort-followers.js';

describe('followAbort', () => {
  it('20 followers: one listener on the signal, each called once with the reason', () => {
    const c = new AbortController();
    const reasons: unknown[] = [];
    for (let i = 0; i < 20; i++) followAbort(c.signal, (r) => reasons.push(r));
    expect(getEventListeners(c.signal, 'abort')).toHaveLength(1);
    c.abort('stop');
    expect(reasons).toEqual(Array(20).fill('stop'));
    expect(getEventListeners(c.signal, 'abort')).toHaveLength(0);
  });

  it('a follower that left is not called; the last to leave removes the listener; leaving twice is harmless', () => {
    const c = new AbortController();
    const called: string[] = [];
    const leaveA = followAbort(c.signal, () => called.push('a'));
    const leaveB = followAbort(c.signal, () => called.push('b'));
    leaveA();
    leaveA();
    expect(getEventListeners(c.signal, 'abort')).toHaveLength(1);
    leaveB();
    expect(getEventListeners(c.signal, 'abort')).toHaveLength(0);
    c.abort();
    expect(called).toEqual([]);
  });

  it('one callback followed twice is two followers; a signal followed again after all left gets its listener back', () => {
    const c = new AbortController();
    let calls = 0;
    const callback = (): void => { calls++; };
    followAbort(c.signal, callback);
    const leave = followAbort(c.signal, callback);
    leave();
    followAbort(c.signal, callback)();
    expect(getEventListeners(c.signal, 'abort')).toHaveLength(1);
    c.abort();
    expect(calls).toBe(1);
    const d = new AbortController();
    followAbort(d.signal, callback)();
    followAbort(d.signal, callback);
    expect(getEventListeners(d.signal, 'abort')).toHaveLength(1);
    d.abort();
    expect(calls).toBe(2);
  });
});
