/**
 * Options of the AMD XDNA2 NPU encoder backend.
 * @module
 */

/** The bf16 GEMM kernel's tile: it computes `C[m, n] = A[m, k] · B[k, n]` per launch. */
export interface Xdna2TileShape {
  /** Rows of A and C. */
  readonly m: number;
  /** Columns of A, rows of B. */
  readonly k: number;
  /** Columns of B and C. */
  readonly n: number;
}

/**
 * Where the XDNA2 backend finds XRT, the device and your compiled NPU kernel.
 * Unset paths are read from the environment (`AMANUENSIS_XDNA2_XCLBIN`, `AMANUENSIS_XDNA2_INSTRUCTIONS`).
 */
export interface Xdna2Options {
  /** The compiled NPU design (`.xclbin`) holding a bf16 GEMM kernel of tile shape {@link tile}. */
  readonly xclbin?: string;
  /** Its instruction stream: raw little-endian 32-bit words, or one hex word per line (`.txt`). */
  readonly instructions?: string;
  /** Kernel name in the xclbin. Default `'MLIR_AIE'`. */
  readonly kernelName?: string;
  /** The kernel's tile shape. Default `{ m: 128, k: 128, n: 128 }`. */
  readonly tile?: Xdna2TileShape;
  /** Tiles in flight (2 = double-buffered). Default 2. */
  readonly slots?: number;
  /** XRT device index. Default 0. */
  readonly deviceIndex?: number;
  /** The XRT library loaded with dlopen. Default `'libxrt_coreutil.so.2'` (searched on the library path). */
  readonly library?: string;
  /**
   * `'xrt'` (default) runs on the NPU; `'software'` runs the same tiles with the same bf16
   * arithmetic on the CPU, without a device (for testing the host side and the numerics).
   */
  readonly device?: 'xrt' | 'software';
  /** Root of the device nodes (default `'/dev'`); tests point it at a fake tree. */
  readonly devRoot?: string;
  /** Root of sysfs (default `'/sys'`); tests point it at a fake tree. */
  readonly sysRoot?: string;
}

/** The options with the environment's defaults filled in, as the native module takes them. @internal */
export function resolveXdna2Options(o: Xdna2Options = {}): Xdna2Options {
  const xclbin = o.xclbin ?? process.env.AMANUENSIS_XDNA2_XCLBIN;
  const instructions = o.instructions ?? process.env.AMANUENSIS_XDNA2_INSTRUCTIONS;
  return { ...o, ...(xclbin !== undefined && { xclbin }), ...(instructions !== undefined && { instructions }) };
}
