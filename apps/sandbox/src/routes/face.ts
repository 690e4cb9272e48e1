import type { Router } from 'express';
import { faceVerifyRequestSchema, type FaceVerifyResponse } from '@kiosk/contracts/face';
import { ApiError, operation, parseBody, type OpDeps } from '../http.js';

const THRESHOLD = 0.8;

/**
 * The face platform's API as the sandbox implements it (the production connector talks to the same
 * `POST /face/verify`). It cannot recognise anyone, so it judges only what it can: the request must
 * carry a complete JPEG (start and end markers) of plausible size; then it answers a fixed match.
 * The image is looked at and dropped, never stored. Faults (timeouts, 5xx) come from the fault admin
 * like every other sandbox operation, under the name `face.verify`.
 */
export function mountFace(router: Router, deps: OpDeps): void {
  router.post(
    '/face/verify',
    operation(
      'face.verify',
      (req) => {
        const body = parseBody(faceVerifyRequestSchema, req.body);
        const jpeg = Buffer.from(body.image.base64, 'base64');
        const complete =
          jpeg.length >= 4 &&
          jpeg[0] === 0xff &&
          jpeg[1] === 0xd8 &&
          jpeg[jpeg.length - 2] === 0xff &&
          jpeg[jpeg.length - 1] === 0xd9;
        jpeg.fill(0);
        if (!complete) throw new ApiError(400, 'INVALID_IMAGE', 'image.base64 is not a complete JPEG');
        const result: FaceVerifyResponse = { matched: true, score: 0.93, threshold: THRESHOLD };
        return { body: result };
      },
      deps,
    ),
  );
}
