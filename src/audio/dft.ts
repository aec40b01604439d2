/**
 * Exact DFT of any length N on top of fft.js (which handles powers of two only), by
 * Bluestein's chirp-z algorithm: the DFT becomes a circular convolution of length
 * M >= 2N - 1 (a power of two), computed with two FFTs. Whisper's N_FFT = 400 is not a
 * power of two, and zero-padding the frame would change the frequency bins.
 * @module
 */
import FFT from 'fft.js';

/** Reusable plan for DFTs of one length; not safe for concurrent use (it owns scratch arrays). */
export class BluesteinDft {
  /** Transform length. */
  readonly n: number;
  private readonly m: number;
  private readonly fft: FFT;
  /** e^{-i pi k^2 / N}, interleaved re/im, k in [0, N). */
  private readonly chirp: Float64Array;
  /** FFT of the conjugate chirp arranged circularly, interleaved. */
  private readonly chirpSpectrum: Float64Array;
  private readonly work: Float64Array;
  private readonly spectrum: Float64Array;
  private readonly product: Float64Array;

  /** @param n - transform length, 1 <= n <= 2^20 */
  constructor(n: number) {
    if (!Number.isInteger(n) || n < 1 || n > 1 << 20) throw new RangeError(`DFT length ${n} is out of range`);
    this.n = n;
    let m = 4; // fft.js needs a power of two greater than 1
    while (m < 2 * n - 1) m *= 2;
    this.m = m;
    this.fft = new FFT(m);
    this.chirp = new Float64Array(2 * n);
    for (let k = 0; k < n; k++) {
      // k^2 mod 2N keeps the angle small and exact for large k
      const angle = (Math.PI * ((k * k) % (2 * n))) / n;
      this.chirp[2 * k] = Math.cos(angle);
      this.chirp[2 * k + 1] = -Math.sin(angle);
    }
    const b = new Float64Array(2 * m);
    for (let k = 0; k < n; k++) {
      const re = this.chirp[2 * k]!;
      const im = -this.chirp[2 * k + 1]!;
      b[2 * k] = re;
      b[2 * k + 1] = im;
      if (k > 0) {
        b[2 * (m - k)] = re;
        b[2 * (m - k) + 1] = im;
      }
    }
    this.chirpSpectrum = new Float64Array(2 * m);
    this.fft.transform(this.chirpSpectrum, b);
    this.work = new Float64Array(2 * m);
    this.spectrum = new Float64Array(2 * m);
    this.product = new Float64Array(2 * m);
  }

  /**
   * Complex DFT: out[k] = sum_j z[j] e^{-2 pi i jk/N}.
   * @param input - interleaved re/im, length 2N
   * @param out - interleaved re/im, length 2N
   */
  transform(input: ArrayLike<number>, out: Float64Array): void {
    const { n, chirp, work, spectrum, product, chirpSpectrum } = this;
    work.fill(0);
    multiplyByChirp(input, chirp, work, n);
    this.fft.transform(spectrum, work);
    for (let k = 0; k < 2 * this.m; k += 2) {
      const ar = spectrum[k]!;
      const ai = spectrum[k + 1]!;
      const br = chirpSpectrum[k]!;
      const bi = chirpSpectrum[k + 1]!;
      product[k] = ar * br - ai * bi;
      product[k + 1] = ar * bi + ai * br;
    }
    this.fft.inverseTransform(work, product);
    multiplyByChirp(work, chirp, out, n);
  }
}

/** out[k] = x[k] * chirp[k] for k < n, complex values interleaved re/im. */
function multiplyByChirp(x: ArrayLike<number>, chirp: Float64Array, out: Float64Array, n: number): void {
  for (let k = 0; k < n; k++) {
    const xr = x[2 * k]!;
    const xi = x[2 * k + 1]!;
    const cr = chirp[2 * k]!;
    const ci = chirp[2 * k + 1]!;
    out[2 * k] = xr * cr - xi * ci;
    out[2 * k + 1] = xr * ci + xi * cr;
  }
}
