// @ts-check
/*
 * The child process that decodes and re-encodes images for lib/media/images.ts, one at a time.
 * libvips runs outside JavaScript's reach: neither sharp's own timeout nor terminating a worker
 * thread stops an SVG whose text takes minutes to lay out, so the parent kills this whole process
 * instead, and its memory goes with it. Plain JavaScript, run by Node itself, not bundled by Next.
 */
import sharp from 'sharp';

/** @typedef {import('./image-types').ImageJob} ImageJob */
/** @typedef {import('./image-types').ImageReply} ImageReply */

// One libvips thread and no operation cache: one image at a time, its memory given back after it.
sharp.concurrency(1);
sharp.cache(false);
// Only the decoders of the formats Quire documents: TIFF, PDF, JPEG 2000, RAW and the rest are never parsed.
sharp.block({ operation: ['VipsForeignLoad'] });
sharp.unblock({
  operation: [
    'VipsForeignLoadPngBuffer',
    'VipsForeignLoadJpegBuffer',
    'VipsForeignLoadUhdrBuffer',
    'VipsForeignLoadWebpBuffer',
    'VipsForeignLoadNsgifBuffer',
    'VipsForeignLoadHeifBuffer',
    'VipsForeignLoadSvgBuffer',
  ],
});

/** The formats accepted, as sharp's metadata names them, and how a refusal names them. */
const FORMATS = { png: 'PNG', jpeg: 'JPEG', webp: 'WebP', gif: 'GIF', heif: 'AVIF', svg: 'SVG' };

/** @param {string} message */
const refuse = (message) => Object.assign(new Error(message), { refusal: true });

/** @param {ImageJob} job @returns {Promise<ImageReply>} */
async function run({ id, input, variants, limits }) {
  const options = /** @type {const} */ ({ limitInputPixels: limits.maxPixels, failOn: 'error', animated: false, density: 72 });
  let meta;
  try {
    // Reads the header only (an SVG is parsed, not drawn), with no pixel limit yet: the size is
    // checked below, with a message that says what it is.
    meta = await sharp(input, { ...options, limitInputPixels: false }).metadata();
  } catch {
    throw refuse(`The file is not an image Quire can read. Upload a ${limits.formatList} file.`);
  }
  const format = meta.format === 'heif' && meta.compression !== 'av1' ? undefined : FORMATS[/** @type {keyof FORMATS} */ (meta.format)];
  if (!format) throw refuse(`${String(meta.format ?? 'This').toUpperCase()} images are not accepted. Upload a ${limits.formatList} file.`);
  const { width = 0, height = 0 } = meta;
  if (!width || !height) throw refuse('The image has no size.');
  if (width > limits.maxSide || height > limits.maxSide || width * height > limits.maxPixels) {
    throw refuse(
      `The image is ${width} × ${height} px; at most ${limits.maxSide} px a side and ${(limits.maxPixels / 1e6).toFixed(1)} megapixels are accepted.`,
    );
  }
  const outputs = [];
  for (const { name, resize } of variants) {
    try {
      const { data, info } = await sharp(input, options)
        .rotate()
        .resize(resize)
        .png({ compressionLevel: 9 })
        // libvips stops between tiles at this time; the parent's kill stops what it cannot.
        .timeout({ seconds: limits.timeoutSeconds })
        .toBuffer({ resolveWithObject: true });
      outputs.push({ name, data, width: info.width, height: info.height });
    } catch (error) {
      const timedOut = error instanceof Error && /timeout/.test(error.message);
      throw refuse(timedOut ? 'timeout' : 'The image could not be processed. It may be damaged.');
    }
  }
  return { id, ok: true, format, width, height, outputs };
}

/** How often memory is checked while a job runs. */
const MEMORY_CHECK_MS = 50;

process.on('message', (/** @type {ImageJob} */ job) => {
  // libvips allocates outside V8's heap, so only the process's resident size tells how much it holds.
  const watch = setInterval(() => {
    const rss = process.memoryUsage.rss();
    if (rss > job.limits.memoryBytes) process.send?.({ id: job.id, ok: false, limit: 'memory', rss });
  }, MEMORY_CHECK_MS);
  run(job)
    .then(
      (reply) => process.send?.(reply),
      (error) =>
        process.send?.(
          error?.refusal && error.message === 'timeout'
            ? { id: job.id, ok: false, limit: 'time' }
            : { id: job.id, ok: false, message: error?.refusal ? error.message : 'The image could not be processed.' },
        ),
    )
    .finally(() => clearInterval(watch));
});

// Without its parent nobody wants the result: end at once, even in the middle of libvips work.
process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
process.send?.({ ready: true });
