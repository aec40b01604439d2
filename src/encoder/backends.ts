/**
 * Which encoder backends can run on this machine, and why not.
 * @module
 */
import { loadNativeAddon } from '../native/binding.js';
import { type Xdna2Options, resolveXdna2Options } from './xdna2-options.js';

/** One encoder backend and whether it can run here. */
export interface BackendInfo {
  /** `'cpu'` (always available) or `'xdna2'` (AMD XDNA2 NPU). */
  readonly name: 'cpu' | 'xdna2';
  /** Whether it can run here. */
  readonly available: boolean;
  /**
   * Why it cannot run, e.g. `'no /dev/accel device bound to amdxdna'`,
   * `'libxrt_coreutil.so.2 not found'`, `'no kernel artifacts configured'`,
   * `'kernel artifact not found: <path>'`.
   */
  readonly reason?: string;
  /** More about the reason, e.g. the dynamic loader's message. */
  readonly detail?: string;
  /** The device node found, e.g. `/dev/accel/accel0`. */
  readonly device?: string;
}

/** Options of {@link listBackends}. */
export interface ListBackendsOptions {
  /** Where to look for the NPU, XRT and the kernel artifacts. */
  readonly xdna2?: Xdna2Options;
  /** Path of a built `amanuensis.node` (as {@link TranscriberLoadOptions.nativeBinding}). */
  readonly nativeBinding?: string;
}

/**
 * Lists the encoder backends: the CPU, then the XDNA2 NPU, checked in this order: an
 * `/dev/accel` node bound to the `amdxdna` driver, the XRT library, the kernel artifacts.
 * Nothing is opened; {@link Transcriber.load} with `encoder: 'xdna2'` does that.
 * @throws {@link AmanuensisError} `ERR_NATIVE_LOAD` when the native module cannot be loaded
 */
export function listBackends(options: ListBackendsOptions = {}): BackendInfo[] {
  const addon = loadNativeAddon(options.nativeBinding);
  const probe = addon.xdna2Probe(resolveXdna2Options(options.xdna2));
  return [
    { name: 'cpu', available: true },
    {
      name: 'xdna2',
      available: probe.available,
      ...(probe.reason !== undefined && { reason: probe.reason }),
      ...(probe.detail !== undefined && { detail: probe.detail }),
      ...(probe.device !== undefined && { device: probe.device }),
    },
  ];
}
