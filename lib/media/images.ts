import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { AppError } from '@/lib/errors';
import type { ImageJob, ImageLimits, ImageReply, ImageVariant, ProcessedImage } from '@/lib/media/image-types';

export type { ImageLimits, ImageVariant, ProcessedImage } from '@/lib/media/image-types';

/*
 * The one way Quire decodes an image it did not make (the site's logo and icon today, any upload
 * tomorrow): in a child process (image-worker.mjs), one image at a time, with a few waiting, under
 * limits of pixels, time and memory. Past a limit, or when the client goes away, the child is killed
 * (SIGKILL stops libvips wherever it is, and gives its memory back) and the next image starts a new
 * one. sharp never loads in the server's own process, so nothing there can outlive a shutdown.
 */

/** What Quire accepts, as its docs list them (docs/writing.md); the child checks the bytes, never the client's type. */
export const IMAGE_FORMATS = 'PNG, JPEG, WebP, GIF, AVIF or SVG';

/**
 * A 12-megapixel phone photo passes, 6000 × 6000 does not; 8192 px a side. 8 s stays well inside the
 * 25 s a shutdown waits for requests (lib/ops/graceful-shutdown.ts), waiting in the queue included.
 */
export const DEFAULT_IMAGE_LIMITS: ImageLimits = {
  maxPixels: 16_777_216,
  maxSide: 8192,
  timeMs: 8_000,
  memoryBytes: 512 * 2 ** 20,
};

/**
 * Images that may wait while one is processed; more are answered 503 at once, and so is one still
 * waiting after its time limit. A request thus takes at most twice the limit: 16 s by default.
 */
const MAX_WAITING = 4;

const WORKER_PATH = [process.cwd(), 'lib', 'media', 'image-worker.mjs'];

interface Pending {
  job: ImageJob;
  field: string;
  limits: ImageLimits;
  resolve: (image: ProcessedImage) => void;
  reject: (error: Error) => void;
  /** Refuses the job at its time limit, waiting or running; also keeps the process alive for the answer. */
  deadline?: ReturnType<typeof setTimeout>;
  signal?: AbortSignal;
  onAbort: () => void;
}

class ImageRunner {
  private child?: ChildProcess;
  private ready = false;
  private running?: Pending;
  private readonly waiting: Pending[] = [];
  private nextId = 0;

  run(input: Uint8Array, variants: ImageVariant[], limits: ImageLimits, field: string, signal?: AbortSignal): Promise<ProcessedImage> {
    if (signal?.aborted) return Promise.reject(gone());
    if (this.waiting.length + (this.running ? 1 : 0) > MAX_WAITING) {
      return Promise.reject(busy());
    }
    const job: ImageJob = {
      id: this.nextId++,
      input,
      variants,
      limits: { ...limits, timeoutSeconds: Math.max(1, Math.floor(limits.timeMs / 1000) - 1), formatList: IMAGE_FORMATS },
    };
    return new Promise<ProcessedImage>((resolve, reject) => {
      const pending: Pending = {
        job,
        field,
        limits,
        signal,
        resolve,
        // A refusal the child explains names the field; the server's own conditions (busy, stopping, gone) do not.
        reject: (error) => reject(error instanceof AppError ? error : refusal(field, error.message)),
        onAbort: () => this.fail(pending, gone()),
      };
      // One that never gets its turn is refused for the others' sake, not its own.
      pending.deadline = setTimeout(() => this.fail(pending, busy()), limits.timeMs);
      signal?.addEventListener('abort', pending.onAbort, { once: true });
      this.waiting.push(pending);
      this.pump();
    });
  }

  /** The running job's child, for tests. */
  get state(): { pid?: number; running: boolean; waiting: number } {
    return { pid: this.child?.pid, running: this.running !== undefined, waiting: this.waiting.length };
  }

  /** Kills the child and refuses every job (the server is stopping). */
  stop(): void {
    for (const pending of [this.running, ...this.waiting])
      if (pending) this.fail(pending, new AppError('unavailable', 'The server is stopping.'));
    this.kill();
  }

  private pump(): void {
    if (this.running || this.waiting.length === 0) return;
    if (!this.child) return this.start();
    if (!this.ready) return;
    const pending = (this.running = this.waiting.shift()!);
    clearTimeout(pending.deadline);
    pending.deadline = setTimeout(() => this.fail(pending, tooSlow(pending)), pending.limits.timeMs);
    this.child.send(pending.job);
  }

  private start(): void {
    const child = fork(path.join(...WORKER_PATH), [], {
      // The job's bytes and outputs cross as Buffers, not as JSON arrays of numbers.
      serialization: 'advanced',
      execArgv: ['--max-old-space-size=64'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // libvips refuses its loaders marked untrusted; two malloc arenas keep the child's memory close to what it uses.
      env: { ...process.env, VIPS_BLOCK_UNTRUSTED: '1', MALLOC_ARENA_MAX: '2' },
    });
    this.child = child;
    this.ready = false;
    child.on('message', (reply: ImageReply) => {
      if (child !== this.child) return;
      if ('ready' in reply) {
        this.ready = true;
        return this.pump();
      }
      const pending = this.running;
      if (!pending || reply.id !== pending.job.id) return;
      if (reply.ok)
        this.finish(pending, undefined, { format: reply.format, width: reply.width, height: reply.height, outputs: reply.outputs });
      else if ('limit' in reply) this.fail(pending, reply.limit === 'time' ? tooSlow(pending) : tooLarge(pending));
      else this.finish(pending, new Error(reply.message));
    });
    child.on('exit', (code, signal) => {
      if (child !== this.child) return;
      this.child = undefined;
      // A child that died on its own (the kernel's OOM killer, a crash in a decoder) took its image with it.
      if (this.running) this.finish(this.running, new Error('The image could not be processed.'));
      else if (!this.ready) {
        // One that cannot even start (sharp missing or broken) would only fail again: the waiting jobs end here.
        console.error(`Quire: the image process stopped before it was ready (${signal ?? `exit code ${code}`}).`);
        for (const pending of [...this.waiting])
          this.finish(pending, new AppError('internal', 'Images cannot be processed on this server.'));
      }
      this.ready = false;
    });
    child.on('error', () => child.kill('SIGKILL'));
    // An idle child never keeps the server alive; a pending job's deadline timer does.
    child.unref();
    child.channel?.unref();
  }

  /** Ends a job with `error`; one the child is working on takes the child with it. */
  private fail(pending: Pending, error: Error): void {
    if (pending === this.running) this.kill();
    this.finish(pending, error);
  }

  private finish(pending: Pending, error: Error | undefined, image?: ProcessedImage): void {
    clearTimeout(pending.deadline);
    pending.signal?.removeEventListener('abort', pending.onAbort);
    const at = this.waiting.indexOf(pending);
    if (at >= 0) this.waiting.splice(at, 1);
    if (pending === this.running) this.running = undefined;
    if (error) pending.reject(error);
    else pending.resolve(image!);
    // After whatever else ends now (one abort ends every job of a request), so no child starts for nothing.
    queueMicrotask(() => this.pump());
  }

  private kill(): void {
    const child = this.child;
    this.child = undefined;
    this.ready = false;
    child?.kill('SIGKILL');
  }
}

const refusal = (field: string, message: string) => new AppError('validation', message, { errors: [{ field, message }] });
const tooSlow = ({ field, limits }: Pending) =>
  refusal(field, `The image takes too long to process (more than ${limits.timeMs / 1000} s). Upload a smaller or simpler image.`);
const tooLarge = ({ field, limits }: Pending) =>
  refusal(
    field,
    `The image needs too much memory to process (more than ${limits.memoryBytes / 2 ** 20} MiB). Upload a smaller or simpler image.`,
  );
const busy = () =>
  new AppError('unavailable', 'Other images are being processed; try again in a few seconds.', { headers: { 'Retry-After': '5' } });
/** The client went away: nobody reads this answer. */
const gone = () => new AppError('bad_request', 'The request was cancelled before the image was processed.');

// One runner, and so one child, per process, however many bundles include this module.
const globalForImages = globalThis as typeof globalThis & { quireImageRunner?: ImageRunner };

function runner(): ImageRunner {
  if (!globalForImages.quireImageRunner) {
    globalForImages.quireImageRunner = new ImageRunner();
    // The child dies with the server (it also ends itself when its channel closes).
    process.once('exit', () => globalForImages.quireImageRunner?.stop());
  }
  return globalForImages.quireImageRunner;
}

/**
 * Decodes `input` (whatever its bytes turn out to be, within `limits`) and writes one PNG per
 * variant. A refusal is a 400 naming `field`: not an image, a format not listed in IMAGE_FORMATS,
 * too many pixels, too slow or too large to process. Aborting `signal` (the request's: the client
 * went away) stops the work at once.
 */
export function processImage(
  input: Uint8Array,
  variants: ImageVariant[],
  { field = 'file', limits = DEFAULT_IMAGE_LIMITS, signal }: { field?: string; limits?: ImageLimits; signal?: AbortSignal } = {},
): Promise<ProcessedImage> {
  return runner().run(input, variants, limits, field, signal);
}

/** Stops image processing: the child is killed and waiting images are refused (graceful shutdown, tests). */
export function stopImageProcessing(): void {
  globalForImages.quireImageRunner?.stop();
}

/** Where the image process stands, for tests. */
export const imageProcessingState = () => runner().state;
