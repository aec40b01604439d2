/**
 * Seeded pseudo-random numbers for temperature sampling, so that a transcription with a
 * given seed is reproducible. Mulberry32: 32-bit state, adequate for drawing tokens. The
 * native token loop runs the same generator on the state it is handed, and hands it back, so a
 * call draws one sequence of numbers whichever path decodes its windows.
 * @module
 */

/** A Mulberry32 generator whose state can be read and set. */
export class SeededRandom {
  /** The 32-bit state (an unsigned integer). */
  state: number;

  /** @param seed - any number; its low 32 bits seed the generator */
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The next uniform number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

/** Returns a generator of uniform numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  const random = new SeededRandom(seed);
  return () => random.next();
}
