/**
 * The cross-attention heads word alignment reads: openai/whisper's per-model presets
 * (`_ALIGNMENT_HEADS` in `whisper/__init__.py`, decoded from their base85 + gzip masks;
 * whisper.cpp carries the same table), chosen from a model's dimensions, and openai's default.
 * @module
 */
import { AmanuensisError } from '../errors.js';
import type { ModelDimensions } from '../model/hparams.js';

/** A decoder layer and one of its attention heads, both from 0. */
export type AlignmentHead = readonly [layer: number, head: number];

/** Names of openai's alignment-head presets. */
export type AlignmentHeadsPreset = 'tiny.en' | 'tiny' | 'base.en' | 'base' | 'small.en' | 'small' | 'medium.en' | 'medium' |
  'large-v1' | 'large-v2' | 'large-v3' | 'large-v3-turbo';

/** Which heads to align with: a preset's name, `'default'` (every head of the top half of the layers), or explicit pairs. */
export type AlignmentHeadsOption = AlignmentHeadsPreset | 'default' | readonly AlignmentHead[];

/** A preset: the decoder shape it belongs to and its (layer, head) pairs in row-major order. */
interface Preset {
  readonly layers: number;
  readonly heads: number;
  readonly nVocab: number;
  readonly nMels: number;
  readonly pairs: readonly AlignmentHead[];
}

/** The pairs of openai's masks, row-major (test/unit/alignment-heads.test.ts decodes openai's strings and compares). */
export const ALIGNMENT_HEAD_PRESETS: Readonly<Record<AlignmentHeadsPreset, Preset>> = {
  'tiny.en': { layers: 4, heads: 6, nVocab: 51864, nMels: 80, pairs: [[1, 0], [2, 0], [2, 5], [3, 0], [3, 1], [3, 2], [3, 3], [3, 4]] },
  tiny: { layers: 4, heads: 6, nVocab: 51865, nMels: 80, pairs: [[2, 2], [3, 0], [3, 2], [3, 3], [3, 4], [3, 5]] },
  'base.en': { layers: 6, heads: 8, nVocab: 51864, nMels: 80, pairs: [[3, 3], [4, 7], [5, 1], [5, 5], [5, 7]] },
  base: { layers: 6, heads: 8, nVocab: 51865, nMels: 80, pairs: [[3, 1], [4, 2], [4, 3], [4, 7], [5, 1], [5, 2], [5, 4], [5, 6]] },
  'small.en': {
    layers: 12, heads: 12, nVocab: 51864, nMels: 80,
    pairs: [[6, 6], [7, 0], [7, 3], [7, 8], [8, 2], [8, 5], [8, 7], [9, 0], [9, 4], [9, 8], [9, 10], [10, 0], [10, 1], [10, 2], [10, 3], [10, 6], [10, 11], [11, 2], [11, 4]],
  },
  small: { layers: 12, heads: 12, nVocab: 51865, nMels: 80, pairs: [[5, 3], [5, 9], [8, 0], [8, 4], [8, 7], [8, 8], [9, 0], [9, 7], [9, 9], [10, 5]] },
  'medium.en': {
    layers: 24, heads: 16, nVocab: 51864, nMels: 80,
    pairs: [[11, 4], [14, 1], [14, 12], [14, 14], [15, 4], [16, 0], [16, 4], [16, 9], [17, 12], [17, 14], [18, 7], [18, 10], [18, 15], [20, 0], [20, 3], [20, 9], [20, 14], [21, 12]],
  },
  medium: { layers: 24, heads: 16, nVocab: 51865, nMels: 80, pairs: [[13, 15], [15, 4], [15, 15], [16, 1], [20, 0], [23, 4]] },
  'large-v1': { layers: 32, heads: 20, nVocab: 51865, nMels: 80, pairs: [[9, 19], [11, 2], [11, 4], [11, 17], [22, 7], [22, 11], [22, 17], [23, 2], [23, 15]] },
  'large-v2': {
    layers: 32, heads: 20, nVocab: 51865, nMels: 80,
    pairs: [[10, 12], [13, 17], [16, 11], [16, 12], [16, 13], [17, 15], [17, 16], [18, 4], [18, 11], [18, 19], [19, 11], [21, 2], [21, 3], [22, 3], [22, 9], [22, 12], [23, 5], [23, 7], [23, 13], [25, 5], [26, 1], [26, 12], [27, 15]],
  },
  'large-v3': { layers: 32, heads: 20, nVocab: 51866, nMels: 128, pairs: [[7, 0], [10, 17], [12, 18], [13, 12], [16, 1], [17, 14], [19, 11], [21, 4], [24, 1], [25, 6]] },
  'large-v3-turbo': { layers: 4, heads: 20, nVocab: 51866, nMels: 128, pairs: [[2, 4], [2, 11], [3, 3], [3, 6], [3, 11], [3, 14]] },
};

/** The heads an alignment used, and where they came from. */
export interface ResolvedAlignmentHeads {
  /** (layer, head) pairs in row-major order. */
  readonly heads: readonly AlignmentHead[];
  /**
   * A preset's name (given, or the one preset whose decoder shape, vocabulary and mel bands the
   * model has), `'default'` (openai's: every head of the top half of the decoder layers), or `'custom'`.
   */
  readonly source: AlignmentHeadsPreset | 'default' | 'custom';
}

/** openai `model.py`'s default: every head of layers `nTextLayer // 2` and up. */
export function defaultAlignmentHeads(dims: Pick<ModelDimensions, 'nTextLayer' | 'nTextHead'>): AlignmentHead[] {
  const heads: AlignmentHead[] = [];
  for (let l = Math.floor(dims.nTextLayer / 2); l < dims.nTextLayer; l++) for (let h = 0; h < dims.nTextHead; h++) heads.push([l, h]);
  return heads;
}

/**
 * The heads to align with on a model of these dimensions. Without an option: the preset whose
 * shape the model has when exactly one has it (large-v1 and large-v2 share theirs: neither is
 * guessed), else openai's default.
 * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` for an unknown preset name, a preset of
 *   another shape, or pairs that are empty, not integers or outside the model's layers and heads
 */
export function resolveAlignmentHeads(dims: ModelDimensions, option?: AlignmentHeadsOption): ResolvedAlignmentHeads {
  if (option === undefined) {
    const matches = (Object.keys(ALIGNMENT_HEAD_PRESETS) as AlignmentHeadsPreset[]).filter((name) => fits(ALIGNMENT_HEAD_PRESETS[name], dims));
    return matches.length === 1 ? { heads: ALIGNMENT_HEAD_PRESETS[matches[0]!].pairs, source: matches[0]! } : { heads: defaultAlignmentHeads(dims), source: 'default' };
  }
  if (option === 'default') return { heads: defaultAlignmentHeads(dims), source: 'default' };
  if (typeof option === 'string') {
    const preset = Object.hasOwn(ALIGNMENT_HEAD_PRESETS, option) ? ALIGNMENT_HEAD_PRESETS[option] : undefined;
    if (preset === undefined) throw new AmanuensisError('ERR_INVALID_ARGUMENT', `unknown alignment heads preset '${String(option)}'`);
    if (preset.layers !== dims.nTextLayer || preset.heads !== dims.nTextHead) {
      throw new AmanuensisError('ERR_INVALID_ARGUMENT', `alignment heads preset '${option}' is for ${preset.layers} decoder layers of ${preset.heads} heads; this model has ${dims.nTextLayer} of ${dims.nTextHead}`);
    }
    return { heads: preset.pairs, source: option };
  }
  if (!Array.isArray(option) || option.length === 0) throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'alignmentHeads must be a preset name or a non-empty array of [layer, head] pairs');
  for (const pair of option) {
    const ok = Array.isArray(pair) && pair.length === 2 && Number.isInteger(pair[0]) && Number.isInteger(pair[1]) &&
      pair[0] >= 0 && pair[0] < dims.nTextLayer && pair[1] >= 0 && pair[1] < dims.nTextHead;
    if (!ok) throw new AmanuensisError('ERR_INVALID_ARGUMENT', `alignment head ${JSON.stringify(pair)} is not a [layer, head] pair of this model (${dims.nTextLayer} layers of ${dims.nTextHead} heads)`);
  }
  // row-major and without repeats, as openai reads heads out of a (layer, head) mask
  const keys = [...new Set(option.map(([l, h]) => l * dims.nTextHead + h))].sort((a, b) => a - b);
  return { heads: keys.map((k) => [Math.floor(k / dims.nTextHead), k % dims.nTextHead] as const), source: 'custom' };
}

function fits(p: Preset, dims: ModelDimensions): boolean {
  return p.layers === dims.nTextLayer && p.heads === dims.nTextHead && p.nVocab === dims.nVocab && p.nMels === dims.nMels;
}
