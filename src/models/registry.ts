/**
 * The whisper.cpp model files known by name: the names of whisper.cpp's
 * `models/download-ggml-model.sh`, where that script fetches each one, and what whisper.cpp's
 * `models/README.md` publishes about them (approximate size, SHA-1). A checksum appears here
 * only where it is published; the rest are verified by size alone.
 * @module
 */
import { AmanuensisError } from '../errors.js';

/** One model file that can be asked for by name. */
export interface ModelEntry {
  /** The name to ask for: `'base.en'`, `'large-v3-turbo-q5_0'`, or your own. */
  readonly name: string;
  /** File name in the cache and on a mirror. Default `ggml-<name>.bin`. */
  readonly file?: string;
  /** Where the file is published (a mirror given by `modelsBaseUrl` replaces everything before the file name). */
  readonly url: string;
  /** SHA-256 of the file, lowercase hex, where known: the download is refused when it differs. */
  readonly sha256?: string;
  /** SHA-1 of the file, lowercase hex, where known; checked when no `sha256` is given. */
  readonly sha1?: string;
  /** Exact size in bytes, where known: the download is refused when the server announces another. */
  readonly bytes?: number;
  /** Approximate size in MiB as published, for display. */
  readonly approxMiB?: number;
}

const WHISPER_CPP = 'https://huggingface.co/ggerganov/whisper.cpp/resolve/main';
// the download script fetches the tinydiarize model from its author's repository
const TINYDIARIZE = 'https://huggingface.co/akashmjn/tinydiarize-whisper.cpp/resolve/main';

type Published = Omit<ModelEntry, 'name' | 'url'>;

const published = (name: string, facts: Published = {}, base = WHISPER_CPP): ModelEntry =>
  ({ name, url: `${base}/ggml-${name}.bin`, ...facts });

/**
 * whisper.cpp's published models, in the order of its download script. SHA-1 and sizes are those
 * of whisper.cpp's models/README.md; tiny.en's SHA-256 and byte count are those published for
 * the file on its download page. Quantized files other than large-v2/v3 q5_0 have no published
 * checksum or size here: they are checked against the size the server announces.
 */
export const WHISPER_CPP_MODELS: readonly ModelEntry[] = [
  published('tiny', { approxMiB: 75, sha1: 'bd577a113a864445d4c299885e0cb97d4ba92b5f' }),
  published('tiny.en', {
    approxMiB: 75, bytes: 77_704_715, sha1: 'c78c86eb1a8faa21b369bcd33207cc90d64ae9df',
    sha256: '921e4cf8686fdd993dcd081a5da5b6c365bfde1162e72b08d75ac75289920b1f',
  }),
  published('tiny-q5_1'),
  published('tiny.en-q5_1'),
  published('tiny-q8_0'),
  published('base', { approxMiB: 142, sha1: '465707469ff3a37a2b9b8d8f89f2f99de7299dac' }),
  published('base.en', { approxMiB: 142, sha1: '137c40403d78fd54d454da0f9bd998f78703390c' }),
  published('base-q5_1'),
  published('base.en-q5_1'),
  published('base-q8_0'),
  published('small', { approxMiB: 466, sha1: '55356645c2b361a969dfd0ef2c5a50d530afd8d5' }),
  published('small.en', { approxMiB: 466, sha1: 'db8a495a91d927739e50b3fc1cc4c6b8f6c2d022' }),
  published('small.en-tdrz', { approxMiB: 465, sha1: 'b6c6e7e89af1a35c08e6de56b66ca6a02a2fdfa1' }, TINYDIARIZE),
  published('small-q5_1'),
  published('small.en-q5_1'),
  published('small-q8_0'),
  published('medium', { approxMiB: 1536, sha1: 'fd9727b6e1217c2f614f9b698455c4ffd82463b4' }),
  published('medium.en', { approxMiB: 1536, sha1: '8c30f0e44ce9560643ebd10bbe50cd20eafd3723' }),
  published('medium-q5_0'),
  published('medium.en-q5_0'),
  published('medium-q8_0'),
  published('large-v1', { approxMiB: 2970, sha1: 'b1caaf735c4cc1429223d5a74f0f4d0b9b59a299' }),
  published('large-v2', { approxMiB: 2970, sha1: '0f4c8e34f21cf1a914c59d8b3ce882345ad349d6' }),
  published('large-v2-q5_0', { approxMiB: 1126, sha1: '00e39f2196344e901b3a2bd5814807a769bd1630' }),
  published('large-v2-q8_0'),
  published('large-v3', { approxMiB: 2970, sha1: 'ad82bf6a9043ceed055076d0fd39f5f186ff8062' }),
  published('large-v3-q5_0', { approxMiB: 1126, sha1: 'e6e2ed78495d403bef4b7cff42ef4aaadcfea8de' }),
  published('large-v3-turbo', { approxMiB: 1536, sha1: '4af2b29d7ec73d781377bfd1758ca957a807e941' }),
  published('large-v3-turbo-q5_0', { approxMiB: 547, sha1: 'e050f7970618a659205450ad97eb95a18d69c9ee' }),
  published('large-v3-turbo-q8_0'),
];

/** The file name of an entry in the cache and on a mirror. */
export function modelFileName(entry: ModelEntry): string {
  return entry.file ?? `ggml-${entry.name}.bin`;
}

/**
 * The built-in models with `custom` entries added (a custom entry with a built-in name replaces it).
 * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` for a malformed custom entry
 */
export function modelRegistry(custom: readonly ModelEntry[] = []): ReadonlyMap<string, ModelEntry> {
  const registry = new Map(WHISPER_CPP_MODELS.map((e) => [e.name, e]));
  for (const entry of custom) {
    assertEntry(entry);
    registry.set(entry.name, entry);
  }
  return registry;
}

const HEX = { sha256: /^[0-9a-f]{64}$/, sha1: /^[0-9a-f]{40}$/ } as const;

function assertEntry(entry: ModelEntry): void {
  const bad = (why: string): never => {
    throw new AmanuensisError('ERR_INVALID_ARGUMENT', `custom model entry ${JSON.stringify(entry?.name)}: ${why}`);
  };
  if (typeof entry !== 'object' || entry === null) bad('must be an object');
  if (typeof entry.name !== 'string' || !/^[\w.-]+$/.test(entry.name)) bad('name must be letters, digits, dots, dashes or underscores');
  if (entry.file !== undefined && (typeof entry.file !== 'string' || !/^[\w.-]+$/.test(entry.file) || entry.file.startsWith('.'))) {
    bad('file must be a plain file name');
  }
  if (typeof entry.url !== 'string' || !URL.canParse(entry.url)) bad('url must be an absolute URL');
  for (const algo of ['sha256', 'sha1'] as const) {
    const value = entry[algo];
    if (value !== undefined && (typeof value !== 'string' || !HEX[algo].test(value))) bad(`${algo} must be lowercase hex`);
  }
  if (entry.bytes !== undefined && !(Number.isSafeInteger(entry.bytes) && entry.bytes > 0)) bad('bytes must be a positive integer');
}
