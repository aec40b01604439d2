/**
 * Reader for whisper.cpp's GGML model files (`ggml-*.bin`): magic, 11 hyperparameters,
 * the mel filterbank, the vocabulary and the tensors, as whisper.cpp's `whisper_model_load`
 * reads them. Every length is checked against the bytes left, so a damaged file gives a
 * typed error and never an out-of-bounds read.
 * @module
 */
import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';

import { N_FREQ } from '../constants.js';
import { AmanuensisError } from '../errors.js';
import { missingModelFileHint } from '../models/missing-file-hint.js';
import { GGML_TYPES } from './ggml-types.js';
import { HPARAM_FIELDS, type ModelDimensions, validateDimensions } from './hparams.js';
import { identityRegions, modelIdentity } from './model-identity.js';
import { type ShapeSpec, expectedTensorShapes } from './tensor-spec.js';

/** `"ggml"` read as a little-endian uint32. */
export const GGML_MAGIC = 0x67676d6c;

/** whisper.cpp stores `ftype + 1000 * quantization version` in the ftype field. */
const QNT_VERSION_FACTOR = 1000;
const MAX_TENSOR_DIMS = 4;
const MAX_NAME_LENGTH = 256;
/** The longest tensor record header: three int32, the dimensions and the name. */
const MAX_RECORD_HEADER_BYTES = 12 + 4 * MAX_TENSOR_DIMS + MAX_NAME_LENGTH;
/** The first read of a file's header (filterbank and vocabulary): doubled while the header is longer. */
const HEADER_READ_BYTES = 1 << 20;

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

/** A read outside the bytes a {@link windowSource} holds: the caller reads more and parses again. */
class OutsideWindow extends Error {}

/**
 * Bytes `[start, start + bytes.length)` of a file of `size` bytes, read ahead of the
 * (synchronous) parser: the file is read asynchronously, region by region, and never on the
 * event loop's thread.
 */
function windowSource(size: number, start: number, bytes: Uint8Array): ByteSource {
  return {
    size,
    read(offset, length) {
      if (offset < start || offset + length > start + bytes.length) throw new OutsideWindow();
      return bytes.subarray(offset - start, offset - start + length);
    },
  };
}

/** Sequential reader that refuses to read past the end. */
class Cursor {
  constructor(private readonly source: ByteSource, public offset = 0) {}

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
 * The tensor table, checked against the architecture the hyperparameters describe as each
 * record is read: a duplicate or a name no Whisper model of these dimensions has stops the
 * reading at once, so a crafted file cannot make the table longer than the model's tensor count.
 */
class TensorTable {
  private readonly expected: Map<string, ShapeSpec>;
  private readonly tensors: TensorRecord[] = [];
  private readonly seen = new Set<string>();

  constructor(dims: ModelDimensions) {
    this.expected = expectedTensorShapes(dims);
  }

  /** @throws {@link AmanuensisError} `ERR_MODEL_DUPLICATE_TENSOR`, `ERR_MODEL_TENSOR_SHAPE` (a wrong shape, or a name no Whisper model has) */
  add(t: TensorRecord): void {
    if (this.seen.has(t.name)) {
      throw new AmanuensisError('ERR_MODEL_DUPLICATE_TENSOR', `tensor '${t.name}' appears twice`);
    }
    const shapes = this.expected.get(t.name);
    if (shapes === undefined) {
      throw new AmanuensisError('ERR_MODEL_TENSOR_SHAPE', `tensor '${t.name}' is not part of a Whisper model with these dimensions`);
    }
    if (!shapes.some((s) => sameShape(s, t.ne))) {
      throw new AmanuensisError('ERR_MODEL_TENSOR_SHAPE',
        `tensor '${t.name}' has shape [${t.ne.join(', ')}], expected [${shapes[0]?.join(', ')}]`);
    }
    this.seen.add(t.name);
    this.tensors.push(t);
  }

  /**
   * The whole table, in file order.
   * @throws {@link AmanuensisError} `ERR_MODEL_NO_TENSORS`, `ERR_MODEL_MISSING_TENSOR`
   */
  finish(): readonly TensorRecord[] {
    if (this.tensors.length === 0) {
      throw new AmanuensisError('ERR_MODEL_NO_TENSORS',
        'the model file has a header but no tensors (a header-only test file?); pass a full model such as ggml-tiny.en.bin');
    }
    for (const name of this.expected.keys()) {
      if (!this.seen.has(name)) {
        throw new AmanuensisError('ERR_MODEL_MISSING_TENSOR', `tensor '${name}' is missing from the model file`);
      }
    }
    return this.tensors;
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
  const table = new TensorTable(dims);
  while (c.remaining > 0) table.add(readTensor(c));
  return { dims, quantizationVersion, melFilters, vocab, tensors: table.finish(), fileSize: source.size };
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
 * weights, not two. The file is read asynchronously, header first, then one tensor record at a
 * time, each checked as it is read.
 * @param path - a whisper.cpp `ggml-*.bin` file
 * @throws {@link AmanuensisError} `ERR_MODEL_NOT_FOUND` (missing, unreadable, or not a regular
 * file: a directory, a FIFO, a device), and the codes of {@link parseGgmlModel}
 */
export async function indexModelFile(path: string): Promise<IndexedModelFile> {
  assertModelPath(path);
  const handle = await openModelFile(path);
  try {
    return await indexOpenFile(handle, path);
  } catch (err) {
    if (err instanceof AmanuensisError) throw err;
    // a read error (EIO), or the file shrinking while it is read
    throw new AmanuensisError('ERR_MODEL_TRUNCATED', `cannot read model file '${path}' to its end: ${(err as Error).message}`, { cause: err });
  } finally {
    await handle.close();
  }
}

/** The index of an opened model file: header, then one tensor record at a time, then the identity. */
async function indexOpenFile(handle: FileHandle, path: string): Promise<IndexedModelFile> {
  const size = (await handle.stat()).size;
  const header = await readFileHeader(handle, size);
  const table = new TensorTable(header.dims);
  for (let offset = header.tensorsOffset; offset < size;) {
    const record = await readAt(handle, offset, Math.min(MAX_RECORD_HEADER_BYTES, size - offset));
    const c = new Cursor(windowSource(size, offset, record), offset);
    table.add(readTensor(c));
    offset = c.offset;
  }
  const file: GgmlModelFile = { ...header, tensors: table.finish(), fileSize: size };
  // the identity hashes samples of the data: read them first, then hash
  const regions = new Map<string, Uint8Array>();
  for (const [offset, length] of identityRegions(file)) regions.set(`${offset}:${length}`, await readAt(handle, offset, length));
  return { ...file, path, identity: modelIdentity(file, (offset, length) => regions.get(`${offset}:${length}`)!) };
}

/** The header from a prefix of the file, read again twice as long while the header goes on. */
async function readFileHeader(handle: FileHandle, size: number): Promise<GgmlHeader> {
  for (let length = Math.min(HEADER_READ_BYTES, size); ; length = Math.min(2 * length, size)) {
    const prefix = await readAt(handle, 0, length);
    try {
      return readHeader(new Cursor(windowSource(size, 0, prefix)));
    } catch (err) {
      if (!(err instanceof OutsideWindow) || length === size) throw err;
    }
  }
}

/** Exactly `length` bytes at `offset` (fewer only at the end of the file). */
async function readAt(handle: FileHandle, offset: number, length: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await handle.read(buffer, got, length - got, offset + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buffer.subarray(0, got);
}

/**
 * Opens a model file for reading, refusing anything but a regular file before reading a byte:
 * opening does not block on a FIFO (O_NONBLOCK), and a directory or device is refused by its type.
 */
async function openModelFile(path: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw modelNotFound(path, err);
  }
  const stat = await handle.stat();
  if (!stat.isFile()) {
    await handle.close();
    const kind = stat.isDirectory() ? 'a directory' : stat.isFIFO() ? 'a FIFO' : stat.isSocket() ? 'a socket' : 'a device';
    throw new AmanuensisError('ERR_MODEL_NOT_FOUND', `'${path}' is ${kind}, not a model file. ${missingModelFileHint(path)}`);
  }
  return handle;
}

/**
 * Reads a model file from disk.
 * @param path - path to a whisper.cpp `ggml-*.bin` file
 * @throws {@link AmanuensisError} `ERR_MODEL_NOT_FOUND` when it cannot be read or is not a regular file
 */
export async function readModelFile(path: string): Promise<Buffer> {
  assertModelPath(path);
  const handle = await openModelFile(path);
  try {
    return await handle.readFile();
  } catch (err) {
    throw modelNotFound(path, err);
  } finally {
    await handle.close();
  }
}

function assertModelPath(path: unknown): asserts path is string {
  if (typeof path !== 'string' || path.length === 0) {
    throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'the model path must be a non-empty string');
  }
}

function modelNotFound(path: string, err: unknown): AmanuensisError {
  return new AmanuensisError('ERR_MODEL_NOT_FOUND',
    `cannot read model file '${path}': ${(err as Error).message}. ${missingModelFileHint(path)}`,
    { cause: err });
}

/** The block layout version (`ftype / 1000`) of the quantized files whisper.cpp has written since 2023. */
const SUPPORTED_QUANTIZATION_VERSION = 2;

/**
 * Refuses tensors whose type amanuensis cannot compute with: the K-quants (Q2_K…Q6_K) and BF16,
 * which whisper.cpp does not publish for Whisper, and quantized tensors of a file whose header
 * gives another block layout version than 2 (the pre-2023 layouts).
 * @throws {@link AmanuensisError} `ERR_MODEL_UNSUPPORTED_TENSOR_TYPE`, naming the tensor and its type
 */
export function assertSupportedTypes(file: GgmlModelFile): void {
  for (const t of file.tensors) {
    const info = GGML_TYPES.get(t.type);
    if (info === undefined) continue;
    if (!info.supported) {
      throw new AmanuensisError('ERR_MODEL_UNSUPPORTED_TENSOR_TYPE',
        `tensor '${t.name}' is ${info.name}, which amanuensis does not compute with: K-quants and BF16 are not published ` +
        'for Whisper. Supported types are F32, F16, Q4_0, Q4_1, Q5_0, Q5_1 and Q8_0');
    }
    if (info.blockSize > 1 && file.quantizationVersion !== SUPPORTED_QUANTIZATION_VERSION) {
      throw new AmanuensisError('ERR_MODEL_UNSUPPORTED_TENSOR_TYPE',
        `tensor '${t.name}' is ${info.name} in quantization format version ${file.quantizationVersion} ` +
        `(header ftype / 1000); only version ${SUPPORTED_QUANTIZATION_VERSION}, what whisper.cpp writes since 2023, is supported. ` +
        'Quantize the f16 file again with a current whisper.cpp');
    }
  }
}
