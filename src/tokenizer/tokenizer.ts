/**
 * Whisper's tokenizer over a whisper.cpp model's vocabulary: special tokens, the SOT
 * sequence, text encoding (BPE) and decoding, as openai/whisper `tokenizer.py`.
 * @module
 */
import { TIME_PRECISION } from '../constants.js';
import { AmanuensisError } from '../errors.js';
import { BytePairEncoder } from './bpe.js';
import { LANGUAGES } from './languages.js';
import { NON_SPEECH_TOKENS_EN, NON_SPEECH_TOKENS_MULTILINGUAL } from './non-speech-tokens.js';
import { isMultilingual, languageCount, textTokenCount } from './vocabulary.js';

/** Whisper's tasks. */
export type Task = 'transcribe' | 'translate';

/** Ids of the special tokens of one vocabulary. */
export interface SpecialTokens {
  /** `<|endoftext|>`: end of a decode. */
  readonly eot: number;
  /** `<|startoftranscript|>`. */
  readonly sot: number;
  /** `<|translate|>` task token. */
  readonly translate: number;
  /** `<|transcribe|>` task token. */
  readonly transcribe: number;
  /** `<|startoflm|>`. */
  readonly sotLm: number;
  /** `<|startofprev|>`: starts the previous-text prompt. */
  readonly sotPrev: number;
  /** `<|nospeech|>` (`<|nocaptions|>` in older vocabularies): its probability at SOT is noSpeechProb. */
  readonly noSpeech: number;
  /** `<|notimestamps|>`: decode text only. */
  readonly noTimestamps: number;
  /** `<|0.00|>`; timestamp token `timestampBegin + i` stands for `i * TIME_PRECISION` (0.02) s. */
  readonly timestampBegin: number;
}

/** Tokenizer of one model; build it with {@link Tokenizer.fromVocab}. */
export class Tokenizer {
  /** Special token ids. */
  readonly special: SpecialTokens;
  /** Whether the model is multilingual (language and task tokens in the SOT sequence). */
  readonly multilingual: boolean;
  /** Language codes this vocabulary has tokens for, in token order. */
  readonly languageCodes: readonly string[];
  private readonly vocab: readonly Uint8Array[];
  private readonly bpe: BytePairEncoder;
  private readonly decoder = new TextDecoder('utf-8');
  /** Whether the vocabulary is lossless (from a rank file), so BPE can reproduce every merge. */
  private readonly exact: boolean;
  private nonSpeech: readonly number[] | undefined;

  private constructor(vocab: readonly Uint8Array[], nVocab: number, exact: boolean) {
    this.exact = exact;
    this.vocab = withByteTokens(vocab);
    this.multilingual = isMultilingual(nVocab);
    // the regular vocabulary is followed by eot, sot, the languages, the task specials and the timestamps
    const nBase = textTokenCount(nVocab);
    const nLanguages = languageCount(nVocab);
    if (nLanguages < 0 || nLanguages > LANGUAGES.length || vocab.length > nBase + 1) {
      throw new AmanuensisError('ERR_MODEL_BAD_HPARAMS',
        `a vocabulary of ${nVocab} tokens (${vocab.length} stored) does not have Whisper's layout`);
    }
    this.languageCodes = LANGUAGES.slice(0, nLanguages).map(([code]) => code);
    const sot = nBase + 1;
    const translate = sot + 1 + nLanguages;
    this.special = {
      eot: nBase,
      sot,
      translate,
      transcribe: translate + 1,
      sotLm: translate + 2,
      sotPrev: translate + 3,
      noSpeech: translate + 4,
      noTimestamps: translate + 5,
      timestampBegin: translate + 6,
    };
    this.bpe = new BytePairEncoder(this.vocab);
  }

  /**
   * @param vocab - regular token byte strings by id (`GgmlModelFile.vocab`)
   * @param nVocab - the model's full vocabulary size (`ModelDimensions.nVocab`)
   * @throws {@link AmanuensisError} `ERR_MODEL_BAD_HPARAMS` when the sizes do not fit Whisper's layout
   */
  static fromVocab(vocab: readonly Uint8Array[], nVocab: number): Tokenizer {
    return new Tokenizer(vocab, nVocab, false);
  }

  /**
   * Builds the tokenizer from openai/whisper's lossless rank file (`gpt2.tiktoken` for
   * English-only models, `multilingual.tiktoken` otherwise: one `base64-token rank` per line).
   * whisper.cpp's GGML files store the ~350 tokens that are partial UTF-8 sequences as U+FFFD,
   * so text that splits a character across tokens decodes exactly only with this file.
   * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` for a malformed file
   */
  static fromTiktoken(ranksFile: string, nVocab: number): Tokenizer {
    const vocab: Uint8Array[] = [];
    for (const [i, line] of ranksFile.split('\n').entries()) {
      if (line.trim() === '') continue;
      const [token, rank] = line.trim().split(' ');
      const id = Number(rank);
      if (token === undefined || !Number.isInteger(id) || id < 0 || id > nVocab) {
        throw new AmanuensisError('ERR_INVALID_ARGUMENT', `line ${i + 1} of the tiktoken file is not 'base64 rank'`);
      }
      vocab[id] = new Uint8Array(Buffer.from(token, 'base64'));
    }
    for (let id = 0; id < vocab.length; id++) vocab[id] ??= new Uint8Array(0);
    return new Tokenizer(vocab, nVocab, true);
  }

  /** Language token of a code such as `'en'`, or undefined when the vocabulary has none. */
  languageToken(code: string): number | undefined {
    const i = this.languageCodes.indexOf(code);
    return i < 0 ? undefined : this.special.sot + 1 + i;
  }

  /** Language code of a language token, or undefined. */
  languageOf(token: number): string | undefined {
    return this.languageCodes[token - this.special.sot - 1];
  }

  /**
   * The start-of-transcript sequence: `[sot]` for English-only models; `[sot, language, task]`
   * for multilingual ones (language omitted when undefined, for language detection).
   * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` for an unknown language
   */
  sotSequence(language: string | undefined, task: Task): number[] {
    const seq = [this.special.sot];
    if (!this.multilingual) return seq;
    if (language !== undefined) {
      const token = this.languageToken(language);
      if (token === undefined) {
        throw new AmanuensisError('ERR_INVALID_ARGUMENT', `unknown language '${language}'; use a code such as 'en' or 'de'`);
      }
      seq.push(token);
    }
    seq.push(task === 'translate' ? this.special.translate : this.special.transcribe);
    return seq;
  }

  /** Token ids of plain text (no special tokens). */
  encode(text: string): number[] {
    return this.bpe.encode(text);
  }

  /** Text of the regular tokens among `tokens`; special and timestamp tokens are dropped. */
  decode(tokens: readonly number[]): string {
    const parts = tokens.filter((t) => t < this.special.eot && t < this.vocab.length).map((t) => this.vocab[t]!);
    return this.decoder.decode(concat(parts));
  }

  /** Like {@link decode}, but timestamp tokens appear as `<|1.08|>`. */
  decodeWithTimestamps(tokens: readonly number[]): string {
    let out = '';
    let run: number[] = [];
    for (const t of tokens) {
      if (t >= this.special.timestampBegin) {
        out += this.decode(run) + `<|${((t - this.special.timestampBegin) * TIME_PRECISION).toFixed(2)}|>`;
        run = [];
      } else {
        run.push(t);
      }
    }
    return out + this.decode(run);
  }

  /**
   * Tokens of symbols that are not speech, which openai/whisper suppresses by default
   * (`suppress_tokens="-1"`): punctuation-like symbols and musical signs, as they start a
   * word (" x") or stand alone, as openai/whisper tokenizer.py `non_speech_tokens`. Computed
   * when the vocabulary is lossless; from openai's tables for GGML vocabularies.
   */
  nonSpeechTokens(): readonly number[] {
    if (this.nonSpeech !== undefined) return this.nonSpeech;
    if (!this.exact) {
      this.nonSpeech = this.multilingual ? NON_SPEECH_TOKENS_MULTILINGUAL : NON_SPEECH_TOKENS_EN;
      return this.nonSpeech;
    }
    const symbols = [...'"#()*+/:;<=>@[\\]^_`{|}~「」『』'];
    symbols.push(...'<< >> <<< >>> -- --- -( -[ (\' (" (( )) ((( ))) [[ ]] {{ }} ♪♪ ♪♪♪'.split(' '));
    // musical symbols are suppressed even when they take several tokens: their first one goes
    const miscellaneous = [...'♩♪♫♬♭♮♯'];
    const result = new Set<number>([this.encode(' -')[0]!, this.encode(" '")[0]!]);
    for (const symbol of [...symbols, ...miscellaneous]) {
      for (const tokens of [this.encode(symbol), this.encode(' ' + symbol)]) {
        if (tokens.length === 1 || miscellaneous.includes(symbol)) result.add(tokens[0]!);
      }
    }
    this.nonSpeech = [...result].sort((a, b) => a - b);
    return this.nonSpeech;
  }
}

/**
 * GPT-2's byte-level BPE gives the 256 single bytes the first 256 ids, printable bytes first
 * (`!`..`~`, `¡`..`¬`, `®`..`ÿ`) and then the rest in byte order (as GPT-2's
 * `bytes_to_unicode`). whisper.cpp's files store the bytes >= 0x80 of that range as U+FFFD;
 * restoring them makes every byte encodable.
 */
function withByteTokens(vocab: readonly Uint8Array[]): Uint8Array[] {
  const order: number[] = [];
  const printable = (b: number): boolean => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  for (let b = 0; b < 256; b++) if (printable(b)) order.push(b);
  for (let b = 0; b < 256; b++) if (!printable(b)) order.push(b);
  const out = [...vocab];
  order.forEach((byte, id) => {
    if (id < out.length) out[id] = Uint8Array.of(byte);
  });
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
