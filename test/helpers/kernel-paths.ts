/** The native kernel paths this CPU can run, each as the load options that select it and the name the model reports. */
import { loadNativeAddon } from '../../src/native/binding.js';

export interface KernelPath {
  /** What `NativeModelHandle.info().kernels` reports for it. */
  readonly name: 'portable' | 'avx2-fma-f16c' | 'avx512-avx2-fma-f16c' | 'avx512-vnni-avx2-fma-f16c';
  readonly simd: boolean;
  readonly avx512: boolean;
  /** Quantized weights meet 8-bit activations (the golden README's 8-bit tolerance class for quantized files). */
  readonly int8Activations: boolean;
}

const cpu = loadNativeAddon().cpuInfo();

export const KERNEL_PATHS: readonly KernelPath[] = [
  { name: 'portable', simd: false, avx512: false, int8Activations: false },
  ...(cpu.simdKernels ? [{ name: 'avx2-fma-f16c', simd: true, avx512: false, int8Activations: false } as const] : []),
  ...(cpu.avx512Kernels ? [{ name: 'avx512-avx2-fma-f16c', simd: true, avx512: true, int8Activations: false } as const] : []),
  ...(cpu.int8Kernels ? [{ name: 'avx512-vnni-avx2-fma-f16c', simd: true, avx512: true, int8Activations: true } as const] : []),
];
