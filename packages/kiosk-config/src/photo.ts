/**
 * The 自助照相 service's config (docs/photo.md). The photo specs are data: a new use or a changed
 * standard is a config edit, not a code change. Sizes follow the departments' published standards
 * (身份证/社保卡 358×441, 驾驶证 260×378, 护照 354×472, 一寸 295×413, 二寸 413×579).
 */
import { z } from 'zod';
import { PHOTO_BACKDROPS, PHOTO_USES } from '@kiosk/contracts/photo';

const ratio = z.number().min(0).max(1);

export const photoSpecSchema = z
  .object({
    use: z.enum(PHOTO_USES),
    nameZh: z.string().min(1),
    nameEn: z.string().min(1),
    width: z.number().int().min(100).max(2000),
    height: z.number().int().min(100).max(2000),
    /** Backdrops the citizen may choose; the first is the default. */
    backdrops: z.array(z.enum(PHOTO_BACKDROPS)).min(1),
    /** JPEG file-size bounds of the output (bytes); the encoder searches a quality that lands inside. */
    minBytes: z.number().int().positive(),
    maxBytes: z.number().int().positive(),
    /** Head height (crown to chin) as a share of the photo's height. */
    headHeight: z.object({ min: ratio, max: ratio }),
    /** Gap between the crown and the photo's top edge as a share of the photo's height. */
    headTop: z.object({ min: ratio, max: ratio }),
    /** What to do with the 回执号, for the slip and the screen. */
    howToZh: z.string().min(1),
    howToEn: z.string().min(1),
  })
  .refine((s) => s.minBytes < s.maxBytes, 'minBytes must be below maxBytes')
  .refine((s) => s.headHeight.min < s.headHeight.max && s.headTop.min < s.headTop.max, 'ratio ranges must have min < max');
export type PhotoSpec = z.infer<typeof photoSpecSchema>;

const white = ['white'] as const;
const colours = ['white', 'blue', 'red'] as const;
const govHowTo = {
  howToZh: '办理时向窗口或在网上申办页面填写此回执号，无需再交纸质照片。回执号30天内有效。',
  howToEn: 'Give this receipt code at the counter or enter it when applying online; no paper photo is needed. Valid for 30 days.',
};
const printHowTo = {
  howToZh: '凭回执号可在任一合作冲印点或网上平台下载、冲印照片。回执号30天内有效。',
  howToEn: 'Use this receipt code to download or print the photo at any partner print shop or online. Valid for 30 days.',
};
const stdHead = { headHeight: { min: 0.6, max: 0.78 }, headTop: { min: 0.03, max: 0.12 } };

export const DEFAULT_PHOTO_SPECS: PhotoSpec[] = [
  {
    use: 'idcard',
    nameZh: '身份证',
    nameEn: 'ID card',
    width: 358,
    height: 441,
    backdrops: [...white],
    minBytes: 14_000,
    maxBytes: 60_000,
    ...stdHead,
    ...govHowTo,
  },
  {
    use: 'social',
    nameZh: '社保卡',
    nameEn: 'Social security card',
    width: 358,
    height: 441,
    backdrops: [...white],
    minBytes: 14_000,
    maxBytes: 60_000,
    ...stdHead,
    ...govHowTo,
  },
  {
    use: 'driving',
    nameZh: '驾驶证',
    nameEn: 'Driving licence',
    width: 260,
    height: 378,
    backdrops: [...white],
    minBytes: 14_000,
    maxBytes: 60_000,
    ...stdHead,
    ...govHowTo,
  },
  {
    use: 'passport',
    nameZh: '护照',
    nameEn: 'Passport',
    width: 354,
    height: 472,
    backdrops: [...white],
    minBytes: 14_000,
    maxBytes: 120_000,
    headHeight: { min: 0.58, max: 0.74 },
    headTop: { min: 0.04, max: 0.12 },
    ...govHowTo,
  },
  {
    use: 'inch1',
    nameZh: '一寸照',
    nameEn: '1-inch photo',
    width: 295,
    height: 413,
    backdrops: [...colours],
    minBytes: 10_000,
    maxBytes: 120_000,
    ...stdHead,
    ...printHowTo,
  },
  {
    use: 'inch2',
    nameZh: '二寸照',
    nameEn: '2-inch photo',
    width: 413,
    height: 579,
    backdrops: [...colours],
    minBytes: 10_000,
    maxBytes: 200_000,
    ...stdHead,
    ...printHowTo,
  },
];

export const photoSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Price of one photo order (fen), paid by QR through the gas money path's provider. */
    priceFen: z.number().int().positive().default(2000),
    /** Free retakes after the first capture. */
    freeRetakes: z.number().int().min(0).max(10).default(3),
    /** Camera frame size for preview and capture (portrait). */
    frameWidth: z.number().int().min(240).max(4096).default(720),
    frameHeight: z.number().int().min(320).max(4096).default(960),
    /** Countdown before the capture (seconds). */
    countdownSeconds: z.number().int().min(1).max(10).default(3),
    /** An upload that has not succeeded this long after payment is refunded (never an unknown outcome). */
    uploadGiveUpMs: z
      .number()
      .int()
      .positive()
      .default(30 * 60_000),
    /** Background upload retries. */
    uploadRetryMs: z.number().int().min(200).default(30_000),
    /** Checks: thresholds on the captured frame. */
    checks: z
      .object({
        maxTiltDeg: z.number().min(0).max(45).default(5),
        /** Variance of the Laplacian of the face region (grey 0..255) below this is blurred. */
        minSharpness: z.number().min(0).default(20),
        /** Mean luma of the face region. */
        minLuma: z.number().min(0).max(255).default(70),
        maxLuma: z.number().min(0).max(255).default(215),
        /** Backdrop (border strips): at least this light, at most this uneven (std dev of luma). */
        minBackdropLuma: z.number().min(0).max(255).default(170),
        maxBackdropStd: z.number().min(0).max(128).default(22),
        /** Face detector score needed to count a face. */
        minFaceScore: z.number().min(0).max(1).default(0.4),
      })
      .prefault({}),
    specs: z
      .array(photoSpecSchema)
      .min(1)
      .default(DEFAULT_PHOTO_SPECS)
      .refine((list) => new Set(list.map((s) => s.use)).size === list.length, 'each use once'),
  })
  .prefault({});
export type PhotoSettings = z.infer<typeof photoSchema>;
