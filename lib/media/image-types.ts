import type { ResizeOptions } from 'sharp';

/* What lib/media/images.ts and its child process (image-worker.mjs) send each other. */

export interface ImageLimits {
  /** Width × height, read from the header before anything is decoded. */
  maxPixels: number;
  /** Either side, so a 1 × 39-megapixel strip is refused however few pixels it has. */
  maxSide: number;
  /** Wall-clock time for the whole job, waiting for the child to start included. */
  timeMs: number;
  /** The child's resident memory; libvips allocates outside V8's heap. */
  memoryBytes: number;
}

/** One output: a PNG resized as `resize` says. */
export interface ImageVariant {
  name: string;
  resize: ResizeOptions;
}

export interface ImageJob {
  id: number;
  input: Uint8Array;
  variants: ImageVariant[];
  limits: Pick<ImageLimits, 'maxPixels' | 'maxSide' | 'memoryBytes'> & { timeoutSeconds: number; formatList: string };
}

export interface ProcessedImage {
  /** The format the bytes turned out to be (never what the client said): PNG, JPEG, WebP, GIF, AVIF or SVG. */
  format: string;
  width: number;
  height: number;
  outputs: { name: string; data: Uint8Array; width: number; height: number }[];
}

export type ImageReply =
  | { ready: true }
  | ({ id: number; ok: true } & ProcessedImage)
  | { id: number; ok: false; message: string }
  | { id: number; ok: false; limit: 'time' | 'memory'; rss?: number };
