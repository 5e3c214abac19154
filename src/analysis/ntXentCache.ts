/**
 * NT-Xent depends on the embeddings and the temperature only (not on the margin, the distance or
 * the index): computed once per temperature in the workers and kept across index builds and passes.
 */
import type { NtXentResult } from '../engine/pairLosses';

export interface NtXentValue {
  meanLoss: number;
  temperature: number;
}

export class NtXentCache {
  private value: NtXentValue | undefined;

  /** `compute` runs NT-Xent at a temperature (AnalysisClient.ntXent). */
  constructor(private readonly compute: (temperature: number) => Promise<NtXentResult>) {}

  /** NT-Xent at this temperature when known and finite, else undefined. */
  at(temperature: number): NtXentValue | undefined {
    const nt = this.value;
    return nt && nt.temperature === temperature && Number.isFinite(nt.meanLoss) ? nt : undefined;
  }

  /** Whether this temperature was computed (a failure counts: it is not retried). */
  has(temperature: number): boolean {
    return this.value?.temperature === temperature;
  }

  /**
   * NT-Xent at this temperature, computed when not known yet. A failure (e.g. a single class: no
   * negatives) is remembered as NaN and answers undefined; `gone()` true means the owner was closed
   * meanwhile, and the failure is not worth a warning.
   */
  async get(temperature: number, gone: () => boolean = () => false): Promise<NtXentValue | undefined> {
    if (!this.has(temperature)) {
      try {
        const nt = await this.compute(temperature);
        this.value = { meanLoss: nt.meanLoss, temperature };
      } catch (e) {
        if (gone()) return undefined;
        console.warn('[ei] NT-Xent not available', e);
        this.value = { meanLoss: Number.NaN, temperature };
      }
    }
    return this.at(temperature);
  }
}
