/** The Embedding lookup table. */
import { empty, fmtShape, noGrad, type Tensor } from "./core.js";
import { embedding } from "./functional.js";
import { normal_ } from "./init.js";
import { positiveInt, type FactoryOptions } from "./linear.js";
import { Module } from "./module.js";
import { Parameter } from "./parameter.js";

/** Options of Embedding. */
export interface EmbeddingLayerOptions extends FactoryOptions {
  /** This row starts at zero and gets no gradient (e.g. a padding token); negative counts from the end. */
  paddingIdx?: number | null;
}

/**
 * A table of numEmbeddings vectors of size embeddingDim, looked up by integer indices:
 * [...indices.shape] → [...indices.shape, embeddingDim]. Starts as N(0, 1), with the
 * padding row zeroed.
 *
 * @example
 * const emb = new nn.Embedding(1000, 64, { paddingIdx: 0 });
 * emb.forward(tt.tensor([[5, 3, 0]])).shape; // [1, 3, 64]
 */
export class Embedding extends Module {
  weight: Tensor;
  readonly paddingIdx: number | null;

  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    options: EmbeddingLayerOptions = {},
  ) {
    super();
    positiveInt("Embedding", "numEmbeddings", numEmbeddings);
    positiveInt("Embedding", "embeddingDim", embeddingDim);
    const pad = options.paddingIdx ?? null;
    if (pad !== null && (!Number.isInteger(pad) || pad < -numEmbeddings || pad >= numEmbeddings))
      throw new RangeError(`Embedding: paddingIdx must be within numEmbeddings (${numEmbeddings}), got ${pad}`);
    this.paddingIdx = pad === null ? null : pad < 0 ? pad + numEmbeddings : pad;
    this.weight = Parameter(empty([numEmbeddings, embeddingDim], { dtype: options.dtype ?? "float32" }));
    this.resetParameters();
  }

  /**
   * An Embedding holding a copy of `embeddings` [num, dim], frozen unless freeze is false.
   *
   * @example
   * const emb = nn.Embedding.fromPretrained(vectors, { freeze: false });
   */
  static fromPretrained(embeddings: Tensor, options: { freeze?: boolean; paddingIdx?: number | null } = {}): Embedding {
    if (embeddings.ndim !== 2) throw new Error(`Embedding.fromPretrained: expected a 2-d tensor, got shape ${fmtShape(embeddings.shape)}`);
    const [n, d] = embeddings.shape;
    const emb = new Embedding(n, d, { paddingIdx: options.paddingIdx, dtype: embeddings.dtype });
    noGrad(() => emb.weight.copy_(embeddings));
    emb.weight.requiresGrad = options.freeze === false;
    return emb;
  }

  /** N(0, 1), padding row zeroed. @example emb.resetParameters() */
  resetParameters(): void {
    normal_(this.weight);
    if (this.paddingIdx !== null) {
      const pad = this.paddingIdx;
      noGrad(() => {
        const row = this.weight.select(0, pad);
        row.zero_();
        row.dispose();
      });
    }
  }

  /** @example emb.forward(ids) */
  forward(indices: Tensor): Tensor {
    return embedding(indices, this.weight, { paddingIdx: this.paddingIdx });
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx === null ? "" : `, padding_idx=${this.paddingIdx}`}`;
  }
}
