// Draws the extension icon (media/icon.png, 128×128): logged points of a falling loss curve, the law fitted through
// them and its prediction (dashed, in a widening band) past the last point. Drawn here, pixel by pixel, so the icon
// is ours and reproducible; a test checks the committed PNG matches. Run: `npm run icon`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

const SIZE = 128;
/** Samples per pixel side: edges are anti-aliased by averaging SCALE² samples. */
const SCALE = 4;
const N = SIZE * SCALE;

type Rgba = [number, number, number, number];

/** An RGBA canvas of N×N samples, values 0..1, painted with "source over". */
class Canvas {
  readonly data = new Float32Array(N * N * 4);

  /** Paints every sample whose centre `inside` accepts, with the colour `at` gives there. */
  fill(inside: (x: number, y: number) => boolean, at: (x: number, y: number) => Rgba): void {
    for (let y = 0; y < N; y++)
      for (let x = 0; x < N; x++) {
        const u = (x + 0.5) / N;
        const v = (y + 0.5) / N;
        if (inside(u, v)) this.blend((y * N + x) * 4, at(u, v));
      }
  }

  private blend(i: number, [r, g, b, a]: Rgba): void {
    const d = this.data;
    const keep = 1 - a;
    d[i] = r * a + d[i] * keep;
    d[i + 1] = g * a + d[i + 1] * keep;
    d[i + 2] = b * a + d[i + 2] * keep;
    d[i + 3] = a + d[i + 3] * keep;
  }

  /** Averages SCALE×SCALE samples into one 8-bit RGBA pixel (colours stored premultiplied, un-premultiplied here). */
  pixels(): Uint8Array {
    const out = new Uint8Array(SIZE * SIZE * 4);
    for (let py = 0; py < SIZE; py++)
      for (let px = 0; px < SIZE; px++) {
        const sum = [0, 0, 0, 0];
        for (let sy = 0; sy < SCALE; sy++)
          for (let sx = 0; sx < SCALE; sx++) {
            const i = ((py * SCALE + sy) * N + px * SCALE + sx) * 4;
            for (let c = 0; c < 4; c++) sum[c] += this.data[i + c];
          }
        const alpha = sum[3] / (SCALE * SCALE);
        const o = (py * SIZE + px) * 4;
        for (let c = 0; c < 3; c++) out[o + c] = alpha > 0 ? Math.round((255 * sum[c]) / sum[3]) : 0;
        out[o + 3] = Math.round(255 * alpha);
      }
    return out;
  }
}

const hex = (h: string, a = 1): Rgba => [
  parseInt(h.slice(1, 3), 16) / 255,
  parseInt(h.slice(3, 5), 16) / 255,
  parseInt(h.slice(5, 7), 16) / 255,
  a,
];

/** The loss curve in icon coordinates (0..1, y down): a power law falling to its floor. */
const curveY = (x: number) => 0.814 - 0.19 * Math.pow(x - 0.04, -0.62);
/** Last logged x: the points stop here and the prediction starts. */
const LAST = 0.58;

function roundedSquare(x: number, y: number): boolean {
  const r = 0.18;
  const dx = Math.max(r - x, 0, x - (1 - r));
  const dy = Math.max(r - y, 0, y - (1 - r));
  return dx * dx + dy * dy <= r * r;
}

/** Distance from (x, y) to the curve, measured vertically and scaled by its slope (close enough for thin strokes). */
function curveDistance(x: number, y: number): number {
  const h = 1e-4;
  const slope = (curveY(x + h) - curveY(x - h)) / (2 * h);
  return Math.abs(y - curveY(x)) / Math.sqrt(1 + slope * slope);
}

export function renderIcon(): Uint8Array {
  const canvas = new Canvas();
  canvas.fill(roundedSquare, (_x, y) => {
    const [r1, g1, b1] = hex('#1d3557');
    const [r2, g2, b2] = hex('#0b1a2e');
    return [r1 + (r2 - r1) * y, g1 + (g2 - g1) * y, b1 + (b2 - b1) * y, 1];
  });
  // Axes.
  canvas.fill(
    (x, y) => x >= 0.14 && x <= 0.165 && y >= 0.14 && y <= 0.86,
    () => hex('#8ecae6', 0.7),
  );
  canvas.fill(
    (x, y) => x >= 0.14 && x <= 0.88 && y >= 0.835 && y <= 0.86,
    () => hex('#8ecae6', 0.7),
  );
  // The band of the prediction, widening past the last point.
  canvas.fill(
    (x, y) => x >= LAST && x <= 0.88 && Math.abs(y - curveY(x)) <= 0.012 + 0.16 * (x - LAST),
    () => hex('#ffb703', 0.22),
  );
  // The fitted law: solid over the points, dashed beyond.
  canvas.fill(
    (x, y) => x >= 0.2 && x <= LAST && curveDistance(x, y) <= 0.022,
    () => hex('#ffb703'),
  );
  canvas.fill(
    (x, y) => x > LAST + 0.02 && x <= 0.88 && (x - LAST) % 0.075 < 0.045 && curveDistance(x, y) <= 0.02,
    () => hex('#ffb703'),
  );
  // Logged points, off the law by a little noise each.
  const noise = [0.025, -0.03, 0.02, -0.025, 0.02, -0.015];
  noise.forEach((offset, i) => {
    const cx = 0.24 + i * 0.066;
    const cy = curveY(cx) + offset;
    canvas.fill(
      (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= 0.03 ** 2,
      () => hex('#f1faee'),
    );
  });
  return canvas.pixels();
}

/** A PNG of 8-bit RGBA pixels, every row unfiltered. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  const rows = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++)
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(rows, y * (width * 4 + 1) + 1);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8 bits per channel, RGBA, deflate, no filter method, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
  return Buffer.concat([head, body, crc]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The icon's bytes, as committed in media/icon.png. */
export function iconPng(): Buffer {
  return encodePng(SIZE, SIZE, renderIcon());
}

if (require.main === module) {
  const out = process.argv[2] ?? join(__dirname, '..', 'media', 'icon.png');
  writeFileSync(out, iconPng());
  console.log(`Wrote ${out}`);
}
