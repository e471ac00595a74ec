// Draws Signet's icon (a shield with a check mark) into assets/icon-{16,32,64,80,128}.png: 16/32/80 are the
// ribbon button sizes of the add-in manifest, 64/128 its IconUrl/HighResolutionIconUrl (PNG, RFC 2083).
// The compose ribbon's toggle buttons get their own 16/32/80 icons: a pen (Sign, sign-*.png) and a padlock
// (Encrypt, encrypt-*.png), in the same blue.
// Run `node scripts/make-icons.js` after changing the drawing; the output is deterministic and committed.
import { Buffer } from 'node:buffer';
import { deflateSync, crc32 } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SIZES = [16, 32, 64, 80, 128];
const SHIELD = [0x0f, 0x6c, 0xbd]; // Fluent "communication blue", readable on light and dark ribbons
const MARK = [0xff, 0xff, 0xff];
// Each pixel averages SS x SS samples: cheap anti-aliasing, so the 16 px icon keeps a clean edge.
const SS = 8;

/** Inside the shield? (x, y) in [0,1]^2, y downwards. Straight sides, then a cosine taper to the tip. */
function inShield(x, y) {
  const top = 0.06;
  const shoulder = 0.5;
  const bottom = 0.96;
  if (y < top || y > bottom) return false;
  let halfWidth = 0.4;
  if (y > shoulder) halfWidth *= Math.cos(((y - shoulder) / (bottom - shoulder)) * (Math.PI / 2));
  // Rounded top corners: radius r circles at (0.5 ± (0.4 - r), top + r).
  const r = 0.1;
  const dx = Math.abs(x - 0.5);
  if (y < top + r && dx > 0.4 - r) return Math.hypot(dx - (0.4 - r), y - (top + r)) <= r;
  return dx <= halfWidth;
}

function distanceToSegment(px, py, ax, ay, bx, by) {
  const vx = bx - ax;
  const vy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * vx + (py - ay) * vy) / (vx * vx + vy * vy)));
  return Math.hypot(px - (ax + t * vx), py - (ay + t * vy));
}

/** On the check mark? A two-segment stroke with round joins and caps. */
function inMark(x, y) {
  const w = 0.055;
  return (
    distanceToSegment(x, y, 0.31, 0.47, 0.45, 0.62) <= w || distanceToSegment(x, y, 0.45, 0.62, 0.7, 0.33) <= w
  );
}

/** The shield icon: 1 = shield colour, 2 = mark colour, 0 = transparent. */
function paintShield(x, y) {
  if (!inShield(x, y)) return 0;
  return inMark(x, y) ? 2 : 1;
}

/** The Sign toggle: a pen drawn at 45 degrees, its nib bottom left, over a signature line. */
function paintPen(x, y) {
  if (distanceToSegment(x, y, 0.12, 0.9, 0.88, 0.9) <= 0.04) return 1;
  const onBody = distanceToSegment(x, y, 0.34, 0.66, 0.8, 0.2) <= 0.11;
  // The nib: a triangle from the body's end to the tip at (0.16, 0.84).
  const u = (x + y - 1.0) / Math.SQRT2; // across the pen axis
  const v = (x - y + 0.32) / Math.SQRT2; // along it from the body's end, negative towards the tip
  const onNib = v <= 0 && v >= -0.27 && Math.abs(u) <= 0.11 * (1 + v / 0.27) + 0.005;
  if (!onBody && !onNib) return 0;
  // A white slit down the nib, as on a fountain pen.
  return onNib && Math.abs(u) <= 0.018 && v > -0.2 ? 2 : 1;
}

/** The Encrypt toggle: a padlock, shackle above a body with a keyhole. */
function paintLock(x, y) {
  const inBody = x >= 0.18 && x <= 0.82 && y >= 0.44 && y <= 0.94;
  const ring = Math.hypot(x - 0.5, y - 0.42);
  const inShackle = y <= 0.46 && ring <= 0.25 && ring >= 0.15;
  if (inBody) return Math.hypot(x - 0.5, y - 0.63) <= 0.07 || (Math.abs(x - 0.5) <= 0.03 && y >= 0.63 && y <= 0.8) ? 2 : 1;
  return inShackle ? 1 : 0;
}

function render(size, paint = paintShield) {
  const rgba = new Uint8Array(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let shield = 0;
      let mark = 0;
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const x = (px + (sx + 0.5) / SS) / size;
          const y = (py + (sy + 0.5) / SS) / size;
          const p = paint(x, y);
          if (p === 2) mark++;
          else if (p === 1) shield++;
        }
      }
      const covered = shield + mark;
      const o = (py * size + px) * 4;
      if (covered === 0) continue;
      // Colour is the coverage-weighted mix; alpha is the total coverage (straight, not premultiplied).
      for (let c = 0; c < 3; c++) rgba[o + c] = Math.round((SHIELD[c] * shield + MARK[c] * mark) / covered);
      rgba[o + 3] = Math.round((255 * covered) / (SS * SS));
    }
  }
  return rgba;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** A truecolour-with-alpha, 8-bit, non-interlaced PNG; every scanline uses filter type 0 (None). */
function encodePng(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  ihdr[10] = 0; // deflate
  ihdr[11] = 0; // adaptive filtering
  ihdr[12] = 0; // no interlace
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    Buffer.from(rgba.buffer, y * size * 4, size * 4).copy(raw, y * (size * 4 + 1) + 1);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const outDir = fileURLToPath(new URL('../assets/', import.meta.url));
mkdirSync(outDir, { recursive: true });
for (const size of SIZES) {
  const file = `${outDir}icon-${size}.png`;
  writeFileSync(file, encodePng(size, render(size)));
  console.log(`wrote ${file}`);
}
for (const [name, paint] of [['sign', paintPen], ['encrypt', paintLock]]) {
  for (const size of [16, 32, 80]) {
    const file = `${outDir}${name}-${size}.png`;
    writeFileSync(file, encodePng(size, render(size, paint)));
    console.log(`wrote ${file}`);
  }
}
