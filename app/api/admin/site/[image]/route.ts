import { requireAdmin } from '@/lib/auth/authenticate';
import { AppError, notFound } from '@/lib/errors';
import { json, methodNotAllowed, noContent, readBytes, route, type RouteContext } from '@/lib/http';
import { MAX_IMAGE_BYTES, removeUpload, saveUpload, UPLOADS, type UploadKind } from '@/lib/site/assets';

export const dynamic = 'force-dynamic';

async function uploadKind({ params }: RouteContext<{ image: string }>): Promise<UploadKind> {
  const { image } = await params;
  if (!(UPLOADS as readonly string[]).includes(image)) throw notFound('Site image');
  return image as UploadKind;
}

/** Replaces the logo or the icon with the image in the body (any common format; stored as PNG). */
export const PUT = route<{ image: string }>(async (request, context) => {
  requireAdmin(request);
  const kind = await uploadKind(context);
  const mediaType = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (!mediaType.startsWith('image/')) {
    throw new AppError('unsupported_media_type', 'Send the image itself as the body, with its image/* Content-Type.');
  }
  const bytes = await readBytes(request, MAX_IMAGE_BYTES);
  return json(await saveUpload(kind, bytes));
});

/** Goes back to no logo, or to Quire's default icon. */
export const DELETE = route<{ image: string }>(async (request, context) => {
  requireAdmin(request);
  removeUpload(await uploadKind(context));
  return noContent();
});

const notAllowed = methodNotAllowed('PUT', 'DELETE');
export { notAllowed as OPTIONS, notAllowed as GET, notAllowed as POST, notAllowed as PATCH };
