// Draws Signet's icon (a shield with a check mark) into assets/icon-{16,32,64,80,128}.png: 16/32/80 are the
// ribbon button sizes of the add-in manifest, 64/128 its IconUrl/HighResolutionIconUrl (PNG, RFC 2083).
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

function render(size) {
  const rgba = new Uint8Array(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let shield = 0;
      let mark = 0;
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const x = (px + (sx + 0.5) / SS) / size;
          const y = (py + (sy + 0.5) / SS) / size;
          if (inShield(x, y)) {
            if (inMark(x, y)) mark++;
            else shield++;
          }
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
