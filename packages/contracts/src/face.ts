import { z } from 'zod';

/**
 * Face verification at the public-security face platform (公安人像比对): the live still against
 * the reference photo held for the ID number. The same API is implemented by the sandbox
 * (`POST /face/verify`, docs/sandbox-api.openapi.yaml). The image is sent once and never kept.
 */
export const faceVerifyRequestSchema = z
  .object({
    idNumber: z.string().regex(/^[0-9A-Z]{15,18}$/),
    name: z.string().min(1).max(60),
    /** At most ~660 KB of JPEG, so a request fits a 1 MB JSON body limit; a 640×480 still is ~60 KB. */
    image: z.object({ format: z.literal('jpeg'), base64: z.string().min(4).max(900_000) }),
  })
  .strict();
export type FaceVerifyRequest = z.infer<typeof faceVerifyRequestSchema>;

export const faceVerifyResponseSchema = z.object({
  matched: z.boolean(),
  /** Similarity 0..1 and the platform's threshold for `matched`. */
  score: z.number().min(0).max(1),
  threshold: z.number().min(0).max(1),
});
export type FaceVerifyResponse = z.infer<typeof faceVerifyResponseSchema>;
