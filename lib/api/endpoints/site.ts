import { endpoint } from '@/lib/api/endpoint';
import { oneOf } from '@/lib/api/endpoints/params';
import { WRITE_PROBLEMS, problems } from '@/lib/api/problems';
import { problemSchema } from '@/lib/schema/problem';
import { AppError } from '@/lib/errors';
import { json, noContent, readBytes } from '@/lib/http';
import { MAX_IMAGE_BYTES, UPLOADS, removeUpload, saveUpload } from '@/lib/site/assets';
import { getSiteIdentity, updateSiteIdentity } from '@/lib/site/identity';
import { identityPatchSchema, siteIdentitySchema, siteImageSchema } from '@/lib/site/schemas';

/* The blog's identity: name, byline, time zone, colours, navigation and images. */

export const siteEndpoint = endpoint('/api/admin/site')
  .get({
    summary: 'Site identity',
    description: 'Name, description, byline, time zone, accent colour, navigation and images, with environment variables as defaults.',
    access: 'author',
    responses: { 200: { description: 'The site identity', schema: siteIdentitySchema }, ...problems(401) },
    handler: async () => json(await getSiteIdentity()),
  })
  .patch({
    summary: 'Change the site identity',
    description: 'Each field sent replaces its value; `null` puts it back to its default.',
    access: 'author',
    body: identityPatchSchema,
    responses: { 200: { description: 'The site identity', schema: siteIdentitySchema }, ...problems(...WRITE_PROBLEMS) },
    handler: async ({ body }) => json(await updateSiteIdentity(await body())),
  });

export const siteImageEndpoint = endpoint('/api/admin/site/{image}', { image: oneOf(UPLOADS, 'Site image') })
  .put({
    summary: 'Upload the logo or the icon',
    description:
      '`image` is `logo` or `icon`. The body is the image itself (PNG, JPEG, WebP, GIF, AVIF or SVG, at most 5 MiB, 8192 px a side and 16.7 megapixels); its bytes decide its format, whatever its Content-Type says. It is re-encoded as PNG: a logo within 480 × 96 px, an icon at 180 and 32 px. An image that takes more than 8 s or 512 MiB to process is refused (`400` naming `file`).',
    access: 'author',
    upload: 'image/*',
    responses: {
      200: { description: 'Where the new image is served', schema: siteImageSchema },
      ...problems(...WRITE_PROBLEMS, 404),
      503: { description: 'Other images are being processed (see Retry-After)', schema: problemSchema },
    },
    handler: async ({ request, params: { image } }) => {
      const mediaType = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (!mediaType.startsWith('image/')) {
        throw new AppError('unsupported_media_type', 'Send the image itself as the body, with its image/* Content-Type.');
      }
      return json(await saveUpload(image, await readBytes(request, MAX_IMAGE_BYTES), request.signal));
    },
  })
  .delete({
    summary: 'Remove the logo or the icon',
    description: 'Goes back to no logo, or to Quire’s default icon.',
    access: 'author',
    responses: { 204: { description: 'Removed: the name, or Quire’s icon, is shown again' }, ...problems(401, 403, 404) },
    handler: async ({ params: { image } }) => {
      await removeUpload(image);
      return noContent();
    },
  });
