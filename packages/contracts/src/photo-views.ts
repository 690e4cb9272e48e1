/**
 * The photo flow's screens as the UI receives them (FlowView.data per step). No imports beyond
 * types so the kiosk UI can use them. The photo itself never travels in a view: the UI loads the
 * preview and the cropped result from one-off URLs of the agent.
 */
import type { PhotoBackdrop, PhotoUse } from './photo.js';

export type PhotoHint =
  | 'dark'
  | 'bright'
  | 'noFace'
  | 'manyFaces'
  | 'tilted'
  | 'eyesClosed'
  | 'tooFar'
  | 'tooClose'
  | 'offCentre'
  | 'blurred'
  | 'backdrop';

export interface PhotoSpecView {
  use: PhotoUse;
  nameZh: string;
  nameEn: string;
  width: number;
  height: number;
  backdrops: PhotoBackdrop[];
}

export interface PhotoUseData {
  specs: PhotoSpecView[];
  priceFen: number;
  freeRetakes: number;
}

export interface PhotoChosen {
  spec: PhotoSpecView;
  backdrop: PhotoBackdrop;
  priceFen: number;
}

/** step `consent` */
export type PhotoConsentData = PhotoChosen;

/** steps `preview`, `countdown`, `checking` */
export interface PhotoLiveData extends PhotoChosen {
  previewUrl: string | null;
  /** The camera frame's size, for the preview box's shape. */
  frame: { width: number; height: number };
  /** Where the head goes for the chosen spec: the oval, as shares (0–1) of the frame. */
  guide: { left: number; top: number; width: number; height: number };
  /** The checks' first complaint about the live picture (about once a second); null: all good. */
  hint: PhotoHint | null;
  /** Why the last capture was refused; stays until the next capture. */
  refusedHint: PhotoHint | null;
  countdown: number | null;
  retakesLeft: number;
}

/** step `review` */
export interface PhotoReviewData extends PhotoChosen {
  resultUrl: string;
  retakesLeft: number;
}

/** step `paying` */
export interface PhotoPayingData extends PhotoChosen {
  orderNo: string;
  qrSvg: string;
  secondsLeft: number;
}

/** step `uploading` */
export type PhotoUploadingData = PhotoChosen;

/** step `done`: the screen says what the slip says. */
export interface PhotoDoneData extends PhotoChosen {
  orderNo: string;
  code: string;
  qrSvg: string;
  howToZh: string;
  howToEn: string;
}

/** step `pending`: paid, upload not through yet. */
export interface PhotoPendingData extends PhotoChosen {
  orderNo: string;
  giveUpMinutes: number;
}

/** step `error` */
export interface PhotoErrorData {
  kind: 'camera' | 'unpaid' | 'payment' | 'unavailable';
}
