/** The text, SubRip and WebVTT writers, on hand-written expected files (SubRip's and W3C WebVTT's cue syntax). */
import { describe, expect, it } from 'vitest';

import { toSrt, toText, toVtt } from '../../src/formats/subtitles.js';
import type { SegmentEvent } from '../../src/streaming/session-events.js';

const segments = [
  { start: 0, end: 2.5, text: ' And so, my fellow Americans,' },
  { start: 3725.04, end: 3727.999, text: ' ask not --> what' },
];

describe('subtitle writers', () => {
  it('SubRip: numbered cues, comma before the milliseconds, hours past 1', () => {
    expect(toSrt(segments)).toBe(
      '1\n00:00:00,000 --> 00:00:02,500\nAnd so, my fellow Americans,\n\n' +
      '2\n01:02:05,040 --> 01:02:07,999\nask not -> what\n',
    );
  });

  it('WebVTT: the header, a full stop before the milliseconds', () => {
    expect(toVtt(segments)).toBe(
      'WEBVTT\n\n00:00:00.000 --> 00:00:02.500\nAnd so, my fellow Americans,\n\n' +
      '01:02:05.040 --> 01:02:07.999\nask not -> what\n',
    );
  });

  it('a whole result and its segments give the same file; a session\'s segment events too', () => {
    const result = { segments };
    expect(toSrt(result)).toBe(toSrt(segments));
    expect(toVtt(result)).toBe(toVtt(segments));
    expect(toText(result)).toBe('And so, my fellow Americans,\nask not --> what\n');
    const events: SegmentEvent[] = segments.map((s, id) => ({ type: 'segment', id, tokens: [], latencyMs: 0, ...s }));
    expect(toSrt(events)).toBe(toSrt(segments));
  });

  it('no segments: empty text and SubRip, a bare WebVTT header', () => {
    expect([toText([]), toSrt([]), toVtt({ segments: [] })]).toEqual(['', '', 'WEBVTT\n\n']);
  });
});
