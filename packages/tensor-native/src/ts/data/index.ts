/**
 * Data loading (torch.utils.data): datasets, a batching DataLoader, and MNIST.
 *
 * @example
 * const { train } = tt.data.mnist();
 * for (const [x, y] of new tt.data.DataLoader(train, { batchSize: 64, shuffle: true, seed: 0 })) { ... }
 */
export { Dataset, mixSeed, randomSplit, randperm, seededRandom, Subset, TensorDataset } from "./dataset.js";
export { DataLoader, defaultCollate, disposeBatch, type Collated, type DataLoaderOptions } from "./dataloader.js";
export { mnist, MNIST_AVAILABLE, type Mnist, type MnistOptions } from "./mnist.js";
