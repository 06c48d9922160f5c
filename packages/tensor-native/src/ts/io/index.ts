/** Reading and writing tensors: safetensors files and training checkpoints. */
export {
  deserialize,
  load,
  loadFile,
  loadFileSync,
  loadSync,
  save,
  saveSync,
  serialize,
  type Deserialized,
  type TensorMap,
} from "./safetensors.js";
export {
  loadCheckpoint,
  loadCheckpointSync,
  saveCheckpoint,
  saveCheckpointSync,
  type Checkpoint,
  type LoadedCheckpoint,
} from "./checkpoint.js";
