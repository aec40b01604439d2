/**
 * openai/whisper's non-speech token ids for its two vocabularies, as its
 * `Tokenizer.non_speech_tokens` computes them from the lossless rank files. whisper.cpp's GGML
 * files lose the partial-UTF-8 tokens that computation needs, so models loaded from them use
 * these tables. The test suite recomputes both from openai's rank files and checks them
 * against the Hugging Face `generation_config.json` of tiny.en.
 * @module
 */

/** For English-only models (`gpt2.tiktoken`). */
export const NON_SPEECH_TOKENS_EN: readonly number[] = [
  1, 2, 7, 8, 9, 10, 14, 25, 26, 27, 28, 29, 31, 58, 59, 60, 61, 62, 63, 90, 91, 92, 93, 357, 366, 438, 532, 685,
  705, 796, 930, 1058, 1220, 1267, 1279, 1303, 1343, 1377, 1391, 1635, 1782, 1875, 2162, 2361, 2488, 3467, 4008,
  4211, 4600, 4808, 5299, 5855, 6329, 7203, 9609, 9959, 10563, 10786, 11420, 11709, 11907, 13163, 13697, 13700,
  14808, 15306, 16410, 16791, 17992, 19203, 19510, 20724, 22305, 22935, 27007, 30109, 30420, 33409, 34949, 40283,
  40493, 40549, 47282, 49146,
];

/** For multilingual models (`multilingual.tiktoken`). */
export const NON_SPEECH_TOKENS_MULTILINGUAL: readonly number[] = [
  1, 2, 7, 8, 9, 10, 14, 25, 26, 27, 28, 29, 31, 58, 59, 60, 61, 62, 63, 90, 91, 92, 93, 359, 503, 522, 542, 873,
  893, 902, 918, 922, 931, 1350, 1853, 1982, 2460, 2627, 3246, 3253, 3268, 3536, 3846, 3961, 4183, 4667, 6585,
  6647, 7273, 9061, 9383, 10428, 10929, 11938, 12033, 12331, 12562, 13793, 14157, 14635, 15265, 15618, 16553,
  16604, 18362, 18956, 20075, 21675, 22520, 26130, 26161, 26435, 28279, 29464, 31650, 32302, 32470, 36865, 42863,
  47425, 49870, 50254,
];
