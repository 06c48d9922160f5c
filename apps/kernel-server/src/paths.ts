/** Maps a contents path (relative to the root) to an absolute directory, refusing escapes. */
export interface PathJail {
  /** The directory a kernel for `path` runs in: the path itself if a directory, else its parent. */
  directoryFor(path: string): Promise<string>;
}
