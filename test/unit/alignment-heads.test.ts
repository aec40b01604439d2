/**
 * Alignment heads: every preset equals openai/whisper's mask (`_ALIGNMENT_HEADS` in
 * `whisper/__init__.py`: base85 of the gzip of an (n_layers, n_heads) boolean array, decoded
 * here with node's zlib and a base85 decoder of Python's `b85decode` alphabet), and the
 * choice of heads from a model's dimensions and the option.
 */
import { gunzipSync } from 'node:zlib';

import { describe, expect, it } from 'vitest';

import { ALIGNMENT_HEAD_PRESETS, type AlignmentHeadsPreset, resolveAlignmentHeads } from '../../src/alignment/alignment-heads.js';
import type { ModelDimensions } from '../../src/model/hparams.js';

/** openai/whisper's table, as published (with its aliases). */
const OPENAI_ALIGNMENT_HEADS: Record<string, string> = {
  'tiny.en': 'ABzY8J1N>@0{>%R00Bk>$p{7v037`oCl~+#00',
  tiny: 'ABzY8bu8Lr0{>%RKn9Fp%m@SkK7Kt=7ytkO',
  'base.en': 'ABzY8;40c<0{>%RzzG;p*o+Vo09|#PsxSZm00',
  base: 'ABzY8KQ!870{>%RzyTQH3`Q^yNP!>##QT-<FaQ7m',
  'small.en': 'ABzY8>?_)10{>%RpeA61k&I|OI3I$65C{;;pbCHh0B{qLQ;+}v00',
  small: 'ABzY8DmU6=0{>%Rpa?J`kvJ6qF(V^F86#Xh7JUGMK}P<N0000',
  'medium.en': 'ABzY8usPae0{>%R7<zz_OvQ{)4kMa0BMw6u5rT}kRKX;$NfYBv00*Hl@qhsU00',
  medium: 'ABzY8B0Jh+0{>%R7}kK1fFL7w6%<-Pf*t^=N)Qr&0RR9',
  'large-v1': 'ABzY8r9j$a0{>%R7#4sLmoOs{s)o3~84-RPdcFk!JR<kSfC2yj',
  'large-v2': 'ABzY8zd+h!0{>%R7=D0pU<_bnWW*tkYAhobTNnu$jnkEkXqp)j;w1Tzk)UH3X%SZd&fFZ2fC2yj',
  'large-v3': 'ABzY8gWO1E0{>%R7(9S+Kn!D~%ngiGaR?*L!iJG9p-nab0JQ=-{D1-g00',
  large: 'ABzY8gWO1E0{>%R7(9S+Kn!D~%ngiGaR?*L!iJG9p-nab0JQ=-{D1-g00',
  'large-v3-turbo': 'ABzY8j^C+e0{>%RARaKHP%t(lGR*)0g!tONPyhe`',
  turbo: 'ABzY8j^C+e0{>%RARaKHP%t(lGR*)0g!tONPyhe`',
};

/** Python's base64.b85decode (RFC 1924 alphabet; a short last group padded with the top digit). */
function b85decode(text: string): Uint8Array {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~';
  const pad = (5 - (text.length % 5)) % 5;
  const padded = text + '~'.repeat(pad);
  const out: number[] = [];
  for (let i = 0; i < padded.length; i += 5) {
    let v = 0;
    for (let k = 0; k < 5; k++) v = v * 85 + alphabet.indexOf(padded[i + k]!);
    out.push((v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
  }
  return Uint8Array.from(out.slice(0, out.length - pad));
}

/** The (layer, head) pairs of a decoded mask, row-major (numpy's nonzero order). */
function maskPairs(encoded: string, heads: number): number[][] {
  const mask = gunzipSync(b85decode(encoded));
  const pairs: number[][] = [];
  mask.forEach((v, i) => {
    if (v !== 0) pairs.push([Math.floor(i / heads), i % heads]);
  });
  return pairs;
}

const ALIASES: Record<string, AlignmentHeadsPreset> = { large: 'large-v3', turbo: 'large-v3-turbo' };

describe('presets', () => {
  it.each(Object.keys(OPENAI_ALIGNMENT_HEADS))('%s decodes to openai\'s mask', (name) => {
    const preset = ALIGNMENT_HEAD_PRESETS[ALIASES[name] ?? (name as AlignmentHeadsPreset)];
    const mask = gunzipSync(b85decode(OPENAI_ALIGNMENT_HEADS[name]!));
    expect(mask.length).toBe(preset.layers * preset.heads);
    expect(preset.pairs.map((p) => [...p])).toEqual(maskPairs(OPENAI_ALIGNMENT_HEADS[name]!, preset.heads));
  });

  it('cover every model of openai\'s table', () => {
    const names = new Set(Object.keys(OPENAI_ALIGNMENT_HEADS).map((n) => ALIASES[n] ?? n));
    expect(new Set(Object.keys(ALIGNMENT_HEAD_PRESETS))).toEqual(names);
  });
});

const dims = (over: Partial<ModelDimensions>): ModelDimensions => ({
  nVocab: 51864, nAudioCtx: 1500, nAudioState: 384, nAudioHead: 6, nAudioLayer: 4, nTextCtx: 448, nTextState: 384, nTextHead: 6,
  nTextLayer: 4, nMels: 80, ftype: 1, ...over,
});

describe('resolveAlignmentHeads', () => {
  it('picks the one preset of the model\'s shape', () => {
    expect(resolveAlignmentHeads(dims({})).source).toBe('tiny.en');
    expect(resolveAlignmentHeads(dims({ nVocab: 51865 })).source).toBe('tiny');
    expect(resolveAlignmentHeads(dims({ nVocab: 51866, nMels: 128, nTextLayer: 4, nTextHead: 20, nTextState: 1280 })).source).toBe('large-v3-turbo');
    expect(resolveAlignmentHeads(dims({ nVocab: 51866, nMels: 128, nTextLayer: 32, nTextHead: 20, nTextState: 1280 })).source).toBe('large-v3');
  });

  it('large-v1 and large-v2 share a shape: neither is guessed, openai\'s default is used', () => {
    const r = resolveAlignmentHeads(dims({ nVocab: 51865, nTextLayer: 32, nTextHead: 20, nTextState: 1280 }));
    expect(r.source).toBe('default');
    expect(r.heads.length).toBe(16 * 20);
    expect(r.heads[0]).toEqual([16, 0]);
    expect(resolveAlignmentHeads(dims({ nVocab: 51865, nTextLayer: 32, nTextHead: 20, nTextState: 1280 }), 'large-v2').source).toBe('large-v2');
  });

  it('an unknown shape gets every head of the top half of the layers (odd layer counts: from n // 2)', () => {
    const r = resolveAlignmentHeads(dims({ nTextLayer: 5, nTextHead: 2 }));
    expect(r).toEqual({ source: 'default', heads: [[2, 0], [2, 1], [3, 0], [3, 1], [4, 0], [4, 1]] });
  });

  it('explicit pairs are sorted row-major without repeats; bad names and pairs are refused', () => {
    expect(resolveAlignmentHeads(dims({}), [[3, 1], [0, 2], [3, 1]])).toEqual({ source: 'custom', heads: [[0, 2], [3, 1]] });
    for (const bad of [[[4, 0]], [[0, 6]], [[-1, 0]], [[0.5, 1]], [], 'tiny.fr', 'large-v3'] as unknown[]) {
      expect(() => resolveAlignmentHeads(dims({}), bad as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    }
  });
});
