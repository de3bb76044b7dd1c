import { ownHeldCommentsEndpoint } from '@/lib/api/endpoints';

export const dynamic = 'force-dynamic';

// Defined in lib/api/endpoints: methods it lacks answer 405 with `Allow`.
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = ownHeldCommentsEndpoint.handlers;
