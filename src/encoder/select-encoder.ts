/**
 * Choice of the encoder backend, with the fallback policy: `'auto'` takes the NPU when it
 * can run and otherwise the CPU, saying why once; `'xdna2'` insists and rejects with the reason.
 * @module
 */
import { AmanuensisError } from '../errors.js';
import type { ModelDimensions } from '../model/hparams.js';
import type { NativeAddon, NativeModelHandle } from '../native/binding.js';
import { CpuEncoder } from './cpu-encoder.js';
import type { Encoder } from './encoder.js';
import { Xdna2Encoder } from './xdna2-encoder.js';
import { type Xdna2Options, resolveXdna2Options } from './xdna2-options.js';

/** Which encoder a Transcriber uses: a backend name, or an Encoder of your own. */
export type EncoderChoice = 'auto' | 'cpu' | 'xdna2' | Encoder;

/** The one warning `'auto'` gives when an NPU is present but cannot run, and the CPU encodes instead. */
export interface EncoderFallbackWarning {
  /** Always `'AMANUENSIS_ENCODER_FALLBACK'`. */
  readonly code: 'AMANUENSIS_ENCODER_FALLBACK';
  /** The backend that could not run. */
  readonly backend: 'xdna2';
  /** Why, in the words of {@link listBackends}. */
  readonly reason: string;
  /** A sentence for logs. */
  readonly message: string;
}

/** What {@link selectEncoder} works with. @internal */
export interface EncoderContext {
  readonly addon: NativeAddon;
  readonly model: NativeModelHandle;
  readonly dims: ModelDimensions;
  readonly threads: number;
  readonly profile: boolean;
  readonly xdna2?: Xdna2Options;
  /** Receives the fallback warning; default `process.emitWarning`. */
  readonly onWarning?: (warning: EncoderFallbackWarning) => void;
}

function isEncoder(choice: unknown): choice is Encoder {
  return typeof choice === 'object' && choice !== null && typeof (choice as Encoder).encode === 'function';
}

function warnFallback(ctx: EncoderContext, reason: string): void {
  const warning: EncoderFallbackWarning = {
    code: 'AMANUENSIS_ENCODER_FALLBACK',
    backend: 'xdna2',
    reason,
    message: `amanuensis: the XDNA2 NPU encoder is unavailable (${reason}); using the CPU encoder`,
  };
  if (ctx.onWarning !== undefined) ctx.onWarning(warning);
  else process.emitWarning(warning.message, { code: warning.code, detail: reason });
}

/** Whether an accel device bound to amdxdna exists (whatever else is missing: XRT, the kernel artifacts). */
function npuPresent(ctx: EncoderContext): boolean {
  return ctx.addon.xdna2Probe(resolveXdna2Options(ctx.xdna2)).device !== undefined;
}

/** The native init probes the device, library and artifacts itself; its ERR_BACKEND_UNAVAILABLE message is the reason. */
function isUnavailable(err: unknown): err is AmanuensisError {
  return err instanceof AmanuensisError && err.code === 'ERR_BACKEND_UNAVAILABLE';
}

/** The encoder a choice resolved to, and why `'auto'` did not use the NPU. @internal */
export interface SelectedEncoder {
  readonly encoder: Encoder;
  /** Set when `'auto'` fell back to the CPU: the reason, in the words of {@link listBackends}. */
  readonly fallbackReason?: string;
}

/**
 * Resolves an {@link EncoderChoice}.
 * @throws {@link AmanuensisError} `ERR_BACKEND_UNAVAILABLE` (with the reason) for `'xdna2'` when it cannot run,
 *   `ERR_INVALID_ARGUMENT` for an unknown name
 * @internal
 */
export async function selectEncoder(choice: EncoderChoice, ctx: EncoderContext): Promise<SelectedEncoder> {
  if (isEncoder(choice)) return { encoder: choice };
  const cpu = (): Encoder => new CpuEncoder(ctx.model, ctx.dims, ctx.threads, ctx.profile);
  switch (choice) {
    case 'cpu':
      return { encoder: cpu() };
    case 'xdna2':
      try {
        return { encoder: await Xdna2Encoder.create(ctx.addon, ctx.model, ctx.dims, ctx.threads, ctx.xdna2) };
      } catch (err) {
        if (!isUnavailable(err)) throw err;
        throw new AmanuensisError('ERR_BACKEND_UNAVAILABLE', `the XDNA2 NPU encoder cannot run: ${err.message}`, { cause: err });
      }
    case 'auto':
      try {
        return { encoder: await Xdna2Encoder.create(ctx.addon, ctx.model, ctx.dims, ctx.threads, ctx.xdna2) };
      } catch (err) {
        if (!isUnavailable(err)) throw err;
        // on the many machines with no NPU at all the CPU is simply the encoder: no warning (the
        // reason stays in listBackends()); an NPU that is there but cannot run is worth one
        if (npuPresent(ctx)) warnFallback(ctx, err.message);
        return { encoder: cpu(), fallbackReason: err.message };
      }
    default:
      throw new AmanuensisError('ERR_INVALID_ARGUMENT', `encoder must be 'auto', 'cpu', 'xdna2' or an object with encode(); got ${String(choice)}`);
  }
}
