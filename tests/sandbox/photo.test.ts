import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { PHOTO_RECEIPT_CODE } from '@kiosk/contracts/photo';
import { HEADERS, sandboxForFile } from './fixture.js';

/** A noisy JPEG of the given size, so its file size is photo-like (tens of KB). */
async function jpeg(width: number, height: number, quality = 50): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  let seed = 7;
  for (let i = 0; i < raw.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    raw[i] = 120 + (seed % 90);
  }
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .jpeg({ quality })
    .toBuffer();
}

const t = sandboxForFile();

/** POST /photo/receipts: `img` as a JPEG for `use` on `backdrop`, with the kiosk headers unless told otherwise. */
const upload = (orderNo: string, use: string, backdrop: string, img: Buffer, headers: Record<string, string> = HEADERS) =>
  fetch(`${t.url}/photo/receipts`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ orderNo, use, backdrop, image: { format: 'jpeg', base64: img.toString('base64') } }),
  });

/** POST /photo/receipts/void for `orderNo`. */
const voidReceipt = (orderNo: string) =>
  fetch(`${t.url}/photo/receipts/void`, { method: 'POST', headers: HEADERS, body: JSON.stringify({ orderNo }) });

describe('sandbox photo platform', () => {
  it('stores a 身份证 photo, answers its 回执号, and gives back the same JPEG for the code', async () => {
    const img = await jpeg(358, 441);
    const res = await upload('PH20261203TEST0001', 'idcard', 'white', img);
    expect(res.status).toBe(201);
    const receipt = (await res.json()) as { code: string; use: string; width: number; height: number; createdAt: string };
    expect(receipt.code).toMatch(PHOTO_RECEIPT_CODE);
    expect(receipt).toMatchObject({ use: 'idcard', width: 358, height: 441 });

    const got = await fetch(`${t.url}/photo/receipts/${receipt.code}`, { headers: HEADERS });
    expect(got.status).toBe(200);
    expect(await got.json()).toEqual(receipt);

    const image = await fetch(`${t.url}/photo/receipts/${receipt.code}/image.jpg`, { headers: HEADERS });
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toMatch(/^image\/jpeg/);
    const bytes = Buffer.from(await image.arrayBuffer());
    expect(bytes.equals(img)).toBe(true);
    expect(await sharp(bytes).metadata()).toMatchObject({ width: 358, height: 441, format: 'jpeg' });

    // The kiosk's retry after a lost answer: the same receipt, not a second one.
    const again = await upload('PH20261203TEST0001', 'idcard', 'white', img);
    expect(again.status).toBe(200);
    expect(((await again.json()) as { code: string }).code).toBe(receipt.code);
    const otherUse = await upload('PH20261203TEST0001', 'social', 'white', img);
    expect(otherUse.status).toBe(409);
  });

  it('refuses photos that do not meet the standard of their use', async () => {
    const wrongSize = await jpeg(360, 440);
    const r1 = await upload('PH20261203TEST0002', 'idcard', 'white', wrongSize);
    expect(r1.status).toBe(422);
    expect(((await r1.json()) as { error: { code: string } }).error.code).toBe('PHOTO_SIZE');

    const tiny = await sharp({ create: { width: 358, height: 441, channels: 3, background: '#ffffff' } })
      .jpeg()
      .toBuffer();
    const r2 = await upload('PH20261203TEST0003', 'idcard', 'white', tiny);
    expect(r2.status).toBe(422);
    expect(((await r2.json()) as { error: { code: string } }).error.code).toBe('PHOTO_FILE_SIZE');

    const blue = await jpeg(358, 441);
    const r3 = await upload('PH20261203TEST0004', 'idcard', 'blue', blue);
    expect(((await r3.json()) as { error: { code: string } }).error.code).toBe('PHOTO_BACKDROP');
    const inch = await jpeg(295, 413);
    const r4 = await upload('PH20261203TEST0005', 'inch1', 'blue', inch);
    expect(r4.status).toBe(201);

    const notJpeg = await upload('PH20261203TEST0006', 'idcard', 'white', Buffer.from('hello'));
    expect(notJpeg.status).toBe(400);
    expect(((await notJpeg.json()) as { error: { code: string } }).error.code).toBe('INVALID_IMAGE');
  });

  it('needs the kiosk headers like every upstream call, and 404s unknown codes', async () => {
    const img = await jpeg(358, 441);
    const unsigned = await upload('PH20261203TEST0007', 'idcard', 'white', img, {});
    expect(unsigned.status).toBe(400);
    expect(((await unsigned.json()) as { error: { code: string } }).error.code).toBe('MISSING_HEADERS');
    const unknown = await fetch(`${t.url}/photo/receipts/ZP20261203-0000000000`, { headers: HEADERS });
    expect(unknown.status).toBe(404);
    const garbage = await fetch(`${t.url}/photo/receipts/nonsense/image.jpg`, { headers: HEADERS });
    expect(garbage.status).toBe(404);
  });

  it('void: a receipt that exists is reported (no refund); one that does not is closed for good', async () => {
    const img = await jpeg(358, 441);
    const up = await upload('PH20261203TEST0010', 'idcard', 'white', img);
    const { code } = (await up.json()) as { code: string };
    const v1 = await voidReceipt('PH20261203TEST0010');
    expect(await v1.json()).toMatchObject({ result: 'already_credited', receipt: { code } });
    const v2 = await voidReceipt('PH20261203TEST0011');
    expect(await v2.json()).toEqual({ result: 'never_credited', receipt: null });
    // A late upload under a voided number (the refund already went out) is refused.
    const late = await upload('PH20261203TEST0011', 'idcard', 'white', img);
    expect(late.status).toBe(409);
    expect(((await late.json()) as { error: { code: string } }).error.code).toBe('ORDER_VOIDED');
  });
});
