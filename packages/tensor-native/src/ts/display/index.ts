/**
 * Rich notebook output from tensors: images, image grids and PNG files.
 * (Progress bars are `tt.progress`.)
 *
 * @example
 * tt.display.image(x);             // [H,W], [C,H,W] or [H,W,C]
 * tt.display.grid(batch, { nrow: 8 }); // [N,C,H,W] or [N,H,W]
 */
export { grid, gridPixels, image, pixels, toPng, type GridOptions, type ImageHandle, type ImageOptions } from "./image.js";
export { crc32, encodePng, type RawImage } from "./png.js";
