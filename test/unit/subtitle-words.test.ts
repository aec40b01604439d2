/**
 * The SRT, VTT and TSV writers on a result with words, against the files openai/whisper's own
 * writers (`utils.py` WriteSRT, WriteVTT, WriteTSV at commit c0d2f624) wrote for the same result
 * and options: test/fixtures/subtitles/openai-writers.json. Two known differences of form: openai
 * ends its files with a blank line, and its WebVTT times omit the hours below 1 h.
 */
import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { type SubtitleLayoutOptions, toSrt, toTsv, toVtt } from '../../src/formats/subtitles.js';

interface Fixture {
  result: { segments: { start: number; end: number; text: string; words: { word: string; start: number; end: number }[] }[] };
  cases: { options: { max_line_width?: number; max_line_count?: number; highlight_words?: boolean; max_words_per_line?: number }; srt: string; vtt: string; tsv: string }[];
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/subtitles/openai-writers.json', import.meta.url), 'utf8')) as Fixture;

/** openai's WebVTT times with the hours written, as ours. */
const withHours = (vtt: string): string => vtt.replace(/^(\d\d:\d\d\.\d{3}) --> (\d\d:\d\d\.\d{3}|\d\d:\d\d:\d\d\.\d{3})$/gm,
  (_, a: string, b: string) => `00:${a} --> ${b.length === 9 ? '00:' + b : b}`);

describe.each(fixture.cases)('openai writers with $options', ({ options, srt, vtt, tsv }) => {
  const layout: SubtitleLayoutOptions = {
    ...(options.max_line_width !== undefined && { maxLineWidth: options.max_line_width }),
    ...(options.max_line_count !== undefined && { maxLineCount: options.max_line_count }),
    ...(options.highlight_words !== undefined && { highlightWords: options.highlight_words }),
    ...(options.max_words_per_line !== undefined && { maxWordsPerLine: options.max_words_per_line }),
  };

  it('SRT', () => {
    expect(toSrt(fixture.result, layout) + '\n').toBe(srt);
  });

  it('WebVTT', () => {
    expect(toVtt(fixture.result, layout) + '\n').toBe(withHours(vtt));
  });

  it('TSV', () => {
    expect(toTsv(fixture.result)).toBe(tsv);
  });
});

describe('layout options', () => {
  it('refuses numbers that are not positive integers', () => {
    for (const bad of [{ maxLineWidth: 0 }, { maxLineCount: 1.5 }, { maxWordsPerLine: -1 }, { highlightWords: 1 as unknown as boolean }]) {
      expect(() => toSrt(fixture.result, bad)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    }
  });
});
