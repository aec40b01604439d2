/**
 * Reader for whisper.cpp's GGML model files (`ggml-*.bin`): magic, 11 hyperparameters,
 * the mel filterbank, the vocabulary and the tensors, as whisper.cpp's `whisper_model_load`
 * reads them. Every length is checked against the bytes left, so a damaged file gives a
 * typed error and never an out-of-bounds read.
 * @module
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

import { N_FREQ } from '../constants.js';
import { AmanuensisError } from '../errors.js';
import { GGML_TYPES } from './ggml-types.js';
import { HPARAM_FIELDS, type ModelDimensions, validateDimensions } from './hparams.js';
import { modelIdentity } from './model-identity.js';
import { expectedTensorShapes } from './tensor-spec.js';

/** `"ggml"` read as a little-endian uint32. */
export const GGML_MAGIC = 0x67676d6c;

/** whisper.cpp stores `ftype + 1000 * quantization version` in the ftype field. */
const QNT_VERSION_FACTOR = 1000;
const MAX_TENSOR_DIMS = 4;
const MAX_NAME_LENGTH = 256;

/** The mel filterbank stored in the file: `[nMels, nFreq]` row-major, nFreq = N_FFT/2 + 1. */
export interface MelFilterbank {
  /** Mel bands. */
  readonly nMels: number;
  /** Frequency bins (201). */
  readonly nFreq: number;
  /** Filter weights `[nMels, nFreq]` row-major. */
  readonly data: Float32Array;
}

/** Where one tensor lies in the file. */
export interface TensorRecord {
  /** whisper.cpp's name, e.g. `encoder.blocks.0.attn.query.weight`. */
  readonly name: string;
  /** ggml type number (see {@link GGML_TYPES}). */
  readonly type: number;
  /** Dimensions in ggml order (`ne[0]` varies fastest). */
  readonly ne: readonly number[];
  /** Byte offset of the data from the start of the file. */
  readonly offset: number;
  /** Bytes of data. */
  readonly nbytes: number;
}

/** A parsed GGML model file. */
export interface GgmlModelFile {
  /** The 11 hyperparameters. */
  readonly dims: ModelDimensions;
  /** Quantization version carried in the ftype field (0 for f32/f16 files). */
  readonly quantizationVersion: number;
  /** The mel filterbank stored in the file. */
  readonly melFilters: MelFilterbank;
  /** Byte strings of the regular tokens, by id (special tokens are not stored in the file). */
  readonly vocab: readonly Uint8Array[];
  /** Every tensor, in file order. */
  readonly tensors: readonly TensorRecord[];
  /** Bytes in the file. */
  readonly fileSize: number;
}

/** Random access to the bytes of a model, in memory or in a file. */
interface ByteSource {
  readonly size: number;
  /** Exactly `length` bytes at `offset` (the caller checked the range); may be a view valid until the next read. */
  read(offset: number, length: number): Uint8Array;
}

function memorySource(bytes: Uint8Array): ByteSource {
  return { size: bytes.length, read: (offset, length) => bytes.subarray(offset, offset + length) };
}

/**
 * Reads a file through a 64 KiB window, so that parsing thousands of small fields costs few
 * system calls; larger regions are read at their exact size. (Tensor headers lie megabytes
 * apart: a larger window would read far more than it uses.) One buffer serves every read and
 * grows only for a larger region: a fresh 64 KiB array per tensor header would leave tens of
 * megabytes of garbage behind the load.
 */
class FileSource implements ByteSource {
  readonly size: number;
  private buffer = new Uint8Array(1 << 16);
  private window = new Uint8Array(0);
  private windowStart = 0;

  constructor(private readonly fd: number) {
    this.size = fstatSync(fd).size;
  }

  read(offset: number, length: number): Uint8Array {
    if (offset < this.windowStart || offset + length > this.windowStart + this.window.length) {
      this.fill(offset, Math.min(Math.max(length, 1 << 16), this.size - offset));
    }
    return this.window.subarray(offset - this.windowStart, offset - this.windowStart + length);
  }

  /** Exactly these bytes, bypassing the window (scattered samples of tensor data). */
  readExact(offset: number, length: number): Uint8Array {
    this.fill(offset, length);
    return this.window;
  }

  private fill(offset: number, want: number): void {
    if (want > this.buffer.length) this.buffer = new Uint8Array(want);
    const buf = this.buffer;
    let got = 0;
    while (got < want) {
      const n = readSync(this.fd, buf, got, want - got, offset + got);
      if (n === 0) break;
      got += n;
    }
    this.window = buf.subarray(0, got);
    this.windowStart = offset;
  }
}

/** Sequential reader that refuses to read past the end. */
class Cursor {
  offset = 0;
  constructor(private readonly source: ByteSource) {}

  get remaining(): number {
    return this.source.size - this.offset;
  }

  need(n: number, what: string): void {
    if (n < 0 || n > this.remaining) {
      throw new AmanuensisError('ERR_MODEL_TRUNCATED',
        `the model file ends inside ${what} (offset ${this.offset}, ${n} bytes needed, ${this.remaining} left)`);
    }
  }

  private view(n: number, what: string): DataView {
    this.need(n, what);
    const b = this.source.read(this.offset, n);
    this.offset += n;
    return new DataView(b.buffer, b.byteOffset, n);
  }

  i32(what: string): number {
    return this.view(4, what).getInt32(0, true);
  }

  u32(what: string): number {
    return this.view(4, what).getUint32(0, true);
  }

  /** A copy of the next n bytes. */
  bytes(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = new Uint8Array(this.source.read(this.offset, n));
    this.offset += n;
    return out;
  }

  /** Passes over n bytes (tensor data) without reading them. */
  skip(n: number, what: string): void {
    this.need(n, what);
    this.offset += n;
  }
}

function readDims(c: Cursor): { dims: ModelDimensions; quantizationVersion: number } {
  const values = HPARAM_FIELDS.map((f) => c.i32(`hparam ${f}`));
  const raw = Object.fromEntries(HPARAM_FIELDS.map((f, i) => [f, values[i] ?? 0])) as Record<keyof ModelDimensions, number>;
  return {
    dims: { ...raw, ftype: raw.ftype % QNT_VERSION_FACTOR },
    quantizationVersion: Math.floor(raw.ftype / QNT_VERSION_FACTOR),
  };
}

function readMelFilters(c: Cursor, dims: ModelDimensions): MelFilterbank {
  const nMels = c.i32('the mel filterbank header');
  const nFreq = c.i32('the mel filterbank header');
  if (nMels !== dims.nMels || nFreq !== N_FREQ) {
    throw new AmanuensisError('ERR_MODEL_BAD_HPARAMS',
      `the mel filterbank is [${nMels}, ${nFreq}], expected [${dims.nMels}, ${N_FREQ}]`);
  }
  const n = nMels * nFreq;
  c.need(n * 4, 'the mel filterbank');
  const data = new Float32Array(n);
  const view = new DataView(c.bytes(n * 4, 'the mel filterbank').buffer);
  for (let i = 0; i < n; i++) data[i] = view.getFloat32(i * 4, true);
  return { nMels, nFreq, data };
}

function readVocab(c: Cursor, dims: ModelDimensions): Uint8Array[] {
  const n = c.i32('the vocabulary size');
  if (n < 0 || n > dims.nVocab) {
    throw new AmanuensisError('ERR_MODEL_BAD_HPARAMS', `the file stores ${n} tokens but nVocab is ${dims.nVocab}`);
  }
  // one copy of the whole region, tokens as views into it: 50k separate small arrays would cost
  // tens of megabytes of allocator overhead
  const start = c.offset;
  const spans: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const len = c.u32(`the length of token ${i}`);
    spans.push([c.offset - start, len]);
    c.skip(len, `token ${i}`);
  }
  const end = c.offset;
  c.offset = start;
  const region = c.bytes(end - start, 'the vocabulary');
  return spans.map(([at, len]) => region.subarray(at, at + len));
}

function readTensor(c: Cursor): TensorRecord {
  const nDims = c.i32('a tensor header');
  const nameLength = c.i32('a tensor header');
  const type = c.i32('a tensor header');
  if (nDims < 1 || nDims > MAX_TENSOR_DIMS) {
    throw new AmanuensisError('ERR_MODEL_TENSOR_SHAPE', `a tensor has ${nDims} dimensions (1 to ${MAX_TENSOR_DIMS} allowed)`);
  }
  if (nameLength < 1 || nameLength > MAX_NAME_LENGTH) {
    throw new AmanuensisError('ERR_MODEL_TENSOR_SHAPE', `a tensor name is ${nameLength} bytes long (1 to ${MAX_NAME_LENGTH} allowed)`);
  }
  const ne: number[] = [];
  for (let i = 0; i < nDims; i++) ne.push(c.i32('a tensor shape'));
  const name = new TextDecoder().decode(c.bytes(nameLength, 'a tensor name'));
  if (ne.some((v) => v < 1)) {
    throw new AmanuensisError('ERR_MODEL_TENSOR_SHAPE', `tensor '${name}' has shape [${ne.join(', ')}]`);
  }
  const info = GGML_TYPES.get(type);
  if (info === undefined) {
    throw new AmanuensisError('ERR_MODEL_UNKNOWN_TENSOR_TYPE', `tensor '${name}' has unknown ggml type ${type}`);
  }
  const elements = ne.reduce((a, b) => a * b, 1);
  if ((ne[0] ?? 0) % info.blockSize !== 0) {
    throw new AmanuensisError('ERR_MODEL_TENSOR_SHAPE',
      `tensor '${name}' row length ${ne[0]} is not a multiple of the ${info.name} block size ${info.blockSize}`);
  }
  const nbytes = (elements / info.blockSize) * info.typeSize;
  const offset = c.offset;
  c.skip(nbytes, `the data of tensor '${name}'`);
  return { name, type, ne, offset, nbytes };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Checks the tensor table against the architecture the hyperparameters describe.
 * @throws {@link AmanuensisError} `ERR_MODEL_NO_TENSORS`, `ERR_MODEL_DUPLICATE_TENSOR`,
 * `ERR_MODEL_TENSOR_SHAPE` (a wrong shape, or a name no Whisper model has), `ERR_MODEL_MISSING_TENSOR`
 */
function validateTensors(dims: ModelDimensions, tensors: readonly TensorRecord[]): void {
  if (tensors.length === 0) {
    throw new AmanuensisError('ERR_MODEL_NO_TENSORS',
      'the model file has a header but no tensors (a header-only test file?); pass a full model such as ggml-tiny.en.bin');
  }
  const expected = expectedTensorShapes(dims);
  const seen = new Set<string>();
  for (const t of tensors) {
    if (seen.has(t.name)) {
      throw new AmanuensisError('ERR_MODEL_DUPLICATE_TENSOR', `tensor '${t.name}' appears twice`);
    }
    seen.add(t.name);
    const shapes = expected.get(t.name);
    if (shapes === undefined) {
      throw new AmanuensisError('ERR_MODEL_TENSOR_SHAPE', `tensor '${t.name}' is not part of a Whisper model with these dimensions`);
    }
    if (!shapes.some((s) => sameShape(s, t.ne))) {
      throw new AmanuensisError('ERR_MODEL_TENSOR_SHAPE',
        `tensor '${t.name}' has shape [${t.ne.join(', ')}], expected [${shapes[0]?.join(', ')}]`);
    }
  }
  for (const name of expected.keys()) {
    if (!seen.has(name)) {
      throw new AmanuensisError('ERR_MODEL_MISSING_TENSOR', `tensor '${name}' is missing from the model file`);
    }
  }
}

/** What precedes the tensors: dimensions, filterbank and vocabulary. */
export interface GgmlHeader {
  /** The 11 hyperparameters. */
  readonly dims: ModelDimensions;
  /** Quantization version carried in the ftype field. */
  readonly quantizationVersion: number;
  /** The mel filterbank. */
  readonly melFilters: MelFilterbank;
  /** Byte strings of the stored tokens, by id. */
  readonly vocab: readonly Uint8Array[];
  /** Byte offset of the first tensor record. */
  readonly tensorsOffset: number;
}


function readHeader(c: Cursor): GgmlHeader {
  const magic = c.u32('the magic number');
  if (magic !== GGML_MAGIC) {
    throw new AmanuensisError('ERR_MODEL_BAD_MAGIC',
      `not a GGML model file: magic 0x${magic.toString(16).padStart(8, '0')}, expected 0x${GGML_MAGIC.toString(16)} ("ggml")`);
  }
  const { dims, quantizationVersion } = readDims(c);
  validateDimensions(dims);
  const melFilters = readMelFilters(c, dims);
  const vocab = readVocab(c, dims);
  return { dims, quantizationVersion, melFilters, vocab, tensorsOffset: c.offset };
}

/**
 * Parses only the header of a GGML file (magic, hparams, filterbank, vocabulary); works on
 * whisper.cpp's header-only test files.
 * @throws {@link AmanuensisError} `ERR_MODEL_BAD_MAGIC`, `ERR_MODEL_TRUNCATED`, `ERR_MODEL_BAD_HPARAMS`
 */
export function parseGgmlHeader(bytes: Uint8Array): GgmlHeader {
  return readHeader(new Cursor(memorySource(bytes)));
}

/**
 * Parses and validates a whisper.cpp GGML model file held in memory.
 * Tensor data is not copied: records give offsets into `bytes`.
 * @param bytes - the whole file
 * @throws {@link AmanuensisError} `ERR_MODEL_BAD_MAGIC`, `ERR_MODEL_TRUNCATED`, `ERR_MODEL_BAD_HPARAMS`,
 * `ERR_MODEL_NO_TENSORS`, `ERR_MODEL_UNKNOWN_TENSOR_TYPE`, `ERR_MODEL_TENSOR_SHAPE`,
 * `ERR_MODEL_MISSING_TENSOR`, `ERR_MODEL_DUPLICATE_TENSOR`
 */
export function parseGgmlModel(bytes: Uint8Array): GgmlModelFile {
  return parseSource(memorySource(bytes));
}

function parseSource(source: ByteSource): GgmlModelFile {
  const c = new Cursor(source);
  const { dims, quantizationVersion, melFilters, vocab } = readHeader(c);
  const tensors: TensorRecord[] = [];
  while (c.remaining > 0) tensors.push(readTensor(c));
  validateTensors(dims, tensors);
  return { dims, quantizationVersion, melFilters, vocab, tensors, fileSize: source.size };
}

/** A model file indexed on disk: everything but the tensor data, which stays in the file. */
export interface IndexedModelFile extends GgmlModelFile {
  /** The file it was read from. */
  readonly path: string;
  /** Content-derived identity (see {@link modelIdentity}). */
  readonly identity: string;
}

/**
 * Parses and validates a model file without reading its tensor data into memory (the native
 * loader reads each tensor straight into its own arena), so loading needs one copy of the
 * weights, not two.
 * @param path - a whisper.cpp `ggml-*.bin` file
 * @throws {@link AmanuensisError} `ERR_MODEL_NOT_FOUND`, and the codes of {@link parseGgmlModel}
 */
export function indexModelFile(path: string): IndexedModelFile {
  assertModelPath(path);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw modelNotFound(path, err);
  }
  try {
    const source = new FileSource(fd);
    const file = parseSource(source);
    return { ...file, path, identity: modelIdentity(file, (offset, length) => source.readExact(offset, length)) };
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a model file from disk.
 * @param path - path to a whisper.cpp `ggml-*.bin` file
 * @throws {@link AmanuensisError} `ERR_MODEL_NOT_FOUND` when it cannot be read
 */
export async function readModelFile(path: string): Promise<Buffer> {
  assertModelPath(path);
  try {
    return await readFile(path);
  } catch (err) {
    throw modelNotFound(path, err);
  }
}

function assertModelPath(path: unknown): asserts path is string {
  if (typeof path !== 'string' || path.length === 0) {
    throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'the model path must be a non-empty string');
  }
}

function modelNotFound(path: string, err: unknown): AmanuensisError {
  return new AmanuensisError('ERR_MODEL_NOT_FOUND',
    `cannot read model file '${path}': ${(err as Error).message}. Download a whisper.cpp model such as ggml-tiny.en.bin`,
    { cause: err });
}

/**
 * Refuses tensors whose type amanuensis cannot compute with yet (quantized types).
 * @throws {@link AmanuensisError} `ERR_MODEL_UNSUPPORTED_TENSOR_TYPE`
 */
export function assertSupportedTypes(file: GgmlModelFile): void {
  for (const t of file.tensors) {
    const info = GGML_TYPES.get(t.type);
    if (info !== undefined && !info.supported) {
      throw new AmanuensisError('ERR_MODEL_UNSUPPORTED_TENSOR_TYPE',
        `tensor '${t.name}' is ${info.name}; this version computes with F32 and F16 models only`);
    }
  }
}
