/**
 * The layout of Whisper's vocabularies, as openai/whisper `tokenizer.py` builds them and
 * `model.py` reads them back from `n_vocab`: the regular byte-level BPE tokens, then
 * `<|endoftext|>` and `<|startoftranscript|>`, one token per language, six task specials and
 * the timestamps. Every vocabulary size is derived from these counts here, never retyped.
 * @module
 */
import { N_SAMPLES, N_SAMPLES_PER_TOKEN } from '../constants.js';
import { LANGUAGES } from './languages.js';

/** Regular tokens of the English-only models' vocabulary (`gpt2.tiktoken`): 50256. */
const N_TEXT_TOKENS_EN = 50256;
/** Regular tokens of the multilingual models' vocabulary (`multilingual.tiktoken`): one more, 50257. */
const N_TEXT_TOKENS_MULTILINGUAL = N_TEXT_TOKENS_EN + 1;
/** `<|endoftext|>` and `<|startoftranscript|>`, between the regular tokens and the languages. */
const N_EOT_SOT = 2;
/** Specials after the languages: translate, transcribe, startoflm, startofprev, nospeech, notimestamps. */
const N_TASK_SPECIALS = 6;
/** Timestamp tokens `<|0.00|>` to `<|30.00|>`, one per TIME_PRECISION step of a 30 s window: 1501. */
const N_TIMESTAMPS = N_SAMPLES / N_SAMPLES_PER_TOKEN + 1;
/** Languages of every vocabulary before large-v3, which adds Cantonese (`yue`) as the last: 99. */
const N_LANGUAGES_BEFORE_V3 = LANGUAGES.findIndex(([code]) => code === 'yue');

/**
 * The smallest multilingual vocabulary, that of tiny to large-v2: 51865 (large-v3 has one
 * language more; English-only models, with one regular token fewer, have 51864).
 */
const N_VOCAB_MULTILINGUAL = N_TEXT_TOKENS_MULTILINGUAL + N_EOT_SOT + N_LANGUAGES_BEFORE_V3 + N_TASK_SPECIALS + N_TIMESTAMPS;

/**
 * Whether a vocabulary of `nVocab` tokens (`ModelDimensions.nVocab`) belongs to a multilingual
 * model, as openai/whisper model.py `is_multilingual`.
 */
export function isMultilingual(nVocab: number): boolean {
  return nVocab >= N_VOCAB_MULTILINGUAL;
}

/** Regular tokens before `<|endoftext|>` (its id) in a vocabulary of `nVocab` tokens. */
export function textTokenCount(nVocab: number): number {
  return isMultilingual(nVocab) ? N_TEXT_TOKENS_MULTILINGUAL : N_TEXT_TOKENS_EN;
}

/**
 * Language tokens in a vocabulary of `nVocab` tokens, as openai/whisper model.py
 * `num_languages`; negative when `nVocab` is too small for Whisper's layout.
 */
export function languageCount(nVocab: number): number {
  return nVocab - textTokenCount(nVocab) - N_EOT_SOT - N_TASK_SPECIALS - N_TIMESTAMPS;
}
