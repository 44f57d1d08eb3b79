/**
 * The overworld terrain as a WGSL compute shader giving the same bytes as world-sdk's
 * generateHeightfield (the CPU twin is `terrainRows`). The CPU version computes in float64 and
 * rounds once to float32; GPU float32 arithmetic would round differently, so this shader carries
 * IEEE float64 in pairs of u32 (high, low) and does +, -, *, / and sqrt in integer arithmetic,
 * correctly rounded to nearest-even like JavaScript's numbers (after Berkeley SoftFloat's f64 add,
 * subtract and multiply; division and square root bit by bit). Subnormals never occur here.
 * Input and output layout: terrain/terrainParams.ts. One invocation per vertex, workgroups of 64.
 */
export const TERRAIN_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read> params: array<u32>;
@group(0) @binding(1) var<storage, read_write> heights: array<u32>;

alias U64 = vec2<u32>; // (high, low)
alias F64 = vec2<u32>; // IEEE float64 bits (high, low)

fn add64(a: U64, b: U64) -> U64 { let lo = a.y + b.y; return U64(a.x + b.x + select(0u, 1u, lo < a.y), lo); }
fn sub64(a: U64, b: U64) -> U64 { return U64(a.x - b.x - select(0u, 1u, a.y < b.y), a.y - b.y); }
fn lt64(a: U64, b: U64) -> bool { return a.x < b.x || (a.x == b.x && a.y < b.y); }
fn is0(a: U64) -> bool { return (a.x | a.y) == 0u; }
fn shl64(a: U64, n: u32) -> U64 {
  if (n == 0u) { return a; }
  if (n >= 64u) { return U64(0u, 0u); }
  if (n >= 32u) { return U64(a.y << (n - 32u), 0u); }
  return U64((a.x << n) | (a.y >> (32u - n)), a.y << n);
}
fn shr64(a: U64, n: u32) -> U64 {
  if (n == 0u) { return a; }
  if (n >= 64u) { return U64(0u, 0u); }
  if (n >= 32u) { return U64(0u, a.x >> (n - 32u)); }
  return U64(a.x >> n, (a.y >> n) | (a.x << (32u - n)));
}
fn shrJam64(a: U64, n: u32) -> U64 {
  if (n == 0u) { return a; }
  if (n >= 64u) { return U64(0u, select(0u, 1u, !is0(a))); }
  var r = shr64(a, n);
  let back = shl64(r, n);
  if (back.x != a.x || back.y != a.y) { r.y = r.y | 1u; }
  return r;
}
fn clz64(a: U64) -> u32 { if (a.x != 0u) { return countLeadingZeros(a.x); } return 32u + countLeadingZeros(a.y); }
fn mul32(a: u32, b: u32) -> U64 {
  let a0 = a & 0xffffu; let a1 = a >> 16u; let b0 = b & 0xffffu; let b1 = b >> 16u;
  let p00 = a0 * b0; let p01 = a0 * b1; let p10 = a1 * b0; let p11 = a1 * b1;
  let mid = p01 + p10;
  let carryMid = select(0u, 0x10000u, mid < p01);
  let lo = p00 + (mid << 16u);
  let carryLo = select(0u, 1u, lo < p00);
  return U64(p11 + (mid >> 16u) + carryMid + carryLo, lo);
}
// High 64 bits of a 64x64 product, with a sticky 1 if any lower bit was set.
fn mul64hi(a: U64, b: U64) -> U64 {
  let p00 = mul32(a.y, b.y); let p01 = mul32(a.y, b.x); let p10 = mul32(a.x, b.y); let p11 = mul32(a.x, b.x);
  var s = add64(add64(U64(0u, p00.x), U64(0u, p01.y)), U64(0u, p10.y));
  let w1 = s.y;
  s = add64(add64(add64(U64(0u, p11.y), U64(0u, p01.x)), U64(0u, p10.x)), U64(0u, s.x));
  let w2 = s.y;
  let w3 = p11.x + s.x;
  return U64(w3, w2 | select(0u, 1u, (w1 | p00.y) != 0u));
}

fn fexp(a: F64) -> i32 { return i32((a.x >> 20u) & 0x7ffu); }
fn fsig(a: F64) -> U64 { return U64(a.x & 0xfffffu, a.y); }
fn fsign(a: F64) -> u32 { return a.x >> 31u; }
fn fzero(a: F64) -> bool { return ((a.x & 0x7fffffffu) | a.y) == 0u; }
fn fneg(a: F64) -> F64 { return F64(a.x ^ 0x80000000u, a.y); }
fn pack(sg: u32, e: i32, sig: U64) -> F64 { let r = add64(U64(u32(e) << 20u, 0u), sig); return F64(r.x | (sg << 31u), r.y); }
const HIDDEN = U64(0x100000u, 0u);

// sig holds the value with its leading 1 at bit 62; the result is rounded to 53 bits, ties to even.
fn roundPack(sg: u32, e: i32, sig: U64) -> F64 {
  let roundBits = sig.y & 0x3ffu;
  var s = shr64(add64(sig, U64(0u, 0x200u)), 10u);
  if (roundBits == 0x200u) { s.y = s.y & ~1u; }
  return pack(sg, e, s);
}
fn normRoundPack(sg: u32, e: i32, sig: U64) -> F64 {
  if (is0(sig)) { return F64(0u, 0u); }
  let shift = i32(clz64(sig)) - 1;
  if (shift >= 0) { return roundPack(sg, e - shift, shl64(sig, u32(shift))); }
  return roundPack(sg, e + 1, shrJam64(sig, 1u));
}
fn addMags(a: F64, b: F64, sg: u32) -> F64 {
  let eA = fexp(a); let eB = fexp(b); var sA = fsig(a); var sB = fsig(b);
  let d = eA - eB;
  if (d == 0) { return roundPack(sg, eA, shl64(add64(add64(U64(0x200000u, 0u), sA), sB), 9u)); }
  sA = shl64(sA, 9u); sB = shl64(sB, 9u);
  var eZ = eA;
  if (d < 0) { sA = shrJam64(U64(sA.x | 0x20000000u, sA.y), u32(-d)); eZ = eB; }
  else { sB = shrJam64(U64(sB.x | 0x20000000u, sB.y), u32(d)); }
  var sZ = add64(add64(U64(0x20000000u, 0u), sA), sB);
  if (lt64(sZ, U64(0x40000000u, 0u))) { eZ = eZ - 1; sZ = shl64(sZ, 1u); }
  return roundPack(sg, eZ, sZ);
}
fn subMags(a: F64, b: F64, sgIn: u32) -> F64 {
  let eA = fexp(a); let eB = fexp(b); var sA = fsig(a); var sB = fsig(b);
  var sg = sgIn;
  let d = eA - eB;
  if (d == 0) {
    var diff: U64;
    if (lt64(sA, sB)) { sg = sg ^ 1u; diff = sub64(sB, sA); } else { diff = sub64(sA, sB); }
    if (is0(diff)) { return F64(0u, 0u); }
    let shift = i32(clz64(diff)) - 11;
    return pack(sg, eA - 1 - shift, shl64(diff, u32(shift)));
  }
  sA = shl64(sA, 10u); sB = shl64(sB, 10u);
  var eZ: i32; var sZ: U64;
  if (d < 0) {
    sg = sg ^ 1u;
    sA = shrJam64(add64(sA, U64(0x40000000u, 0u)), u32(-d));
    sB = U64(sB.x | 0x40000000u, sB.y);
    eZ = eB; sZ = sub64(sB, sA);
  } else {
    sB = shrJam64(add64(sB, U64(0x40000000u, 0u)), u32(d));
    sA = U64(sA.x | 0x40000000u, sA.y);
    eZ = eA; sZ = sub64(sA, sB);
  }
  return normRoundPack(sg, eZ - 1, sZ);
}
fn fadd(a: F64, b: F64) -> F64 {
  if (fzero(a)) { if (fzero(b)) { return F64(a.x & b.x & 0x80000000u, 0u); } return b; }
  if (fzero(b)) { return a; }
  if (fsign(a) == fsign(b)) { return addMags(a, b, fsign(a)); }
  return subMags(a, b, fsign(a));
}
fn fsub(a: F64, b: F64) -> F64 { return fadd(a, fneg(b)); }
fn fmul(a: F64, b: F64) -> F64 {
  let sg = fsign(a) ^ fsign(b);
  if (fzero(a) || fzero(b)) { return F64(sg << 31u, 0u); }
  var eZ = fexp(a) + fexp(b) - 0x3ff;
  let sA = shl64(add64(fsig(a), HIDDEN), 10u);
  let sB = shl64(add64(fsig(b), HIDDEN), 11u);
  var sZ = mul64hi(sA, sB);
  if (lt64(sZ, U64(0x40000000u, 0u))) { eZ = eZ - 1; sZ = shl64(sZ, 1u); }
  return roundPack(sg, eZ, sZ);
}
fn fdiv(a: F64, b: F64) -> F64 {
  let sg = fsign(a) ^ fsign(b);
  if (fzero(a)) { return F64(sg << 31u, 0u); }
  var A = add64(fsig(a), HIDDEN); let B = add64(fsig(b), HIDDEN);
  var eZ = fexp(a) - fexp(b) + 1022;
  if (lt64(A, B)) { A = shl64(A, 1u); eZ = eZ - 1; }
  var q = U64(0u, 0u);
  for (var i = 0; i < 63; i = i + 1) {
    q = shl64(q, 1u);
    if (!lt64(A, B)) { A = sub64(A, B); q.y = q.y | 1u; }
    A = shl64(A, 1u);
  }
  if (!is0(A)) { q.y = q.y | 1u; }
  return roundPack(sg, eZ, q);
}
fn fsqrt(a: F64) -> F64 {
  if (fzero(a)) { return a; }
  let e = fexp(a) - 1023;
  var M = add64(fsig(a), HIDDEN);
  var ee = e;
  if ((e & 1) != 0) { M = shl64(M, 1u); ee = e - 1; }
  var rem = U64(0u, 0u); var root = U64(0u, 0u);
  for (var k = 54; k >= 0; k = k - 1) {
    let at = 2 * k - 56;
    var pair = 0u;
    if (at >= 0) { pair = shr64(M, u32(at)).y & 3u; }
    rem = shl64(rem, 2u); rem.y = rem.y | pair;
    var trial = shl64(root, 2u); trial.y = trial.y | 1u;
    root = shl64(root, 1u);
    if (!lt64(rem, trial)) { rem = sub64(rem, trial); root.y = root.y | 1u; }
  }
  var sig = shl64(root, 8u);
  if (!is0(rem)) { sig.y = sig.y | 1u; }
  return roundPack(0u, ee / 2 + 1022, sig);
}
fn flt(a: F64, b: F64) -> bool {
  let ka = select(U64(a.x | 0x80000000u, a.y), U64(~a.x, ~a.y), fsign(a) == 1u);
  let kb = select(U64(b.x | 0x80000000u, b.y), U64(~b.x, ~b.y), fsign(b) == 1u);
  return lt64(ka, kb);
}
fn fromU32(m: u32, sg: u32) -> F64 {
  if (m == 0u) { return F64(sg << 31u, 0u); }
  let top = 31 - i32(countLeadingZeros(m));
  return pack(sg, top + 1022, shl64(U64(0u, m), u32(52 - top)));
}
fn fromI32(n: i32) -> F64 { return fromU32(u32(abs(n)), select(0u, 1u, n < 0)); }
fn floorI32(a: F64) -> i32 {
  if (fzero(a)) { return 0; }
  let neg = fsign(a) == 1u;
  let e = fexp(a) - 1023;
  if (e < 0) { return select(0, -1, neg); }
  let M = add64(fsig(a), HIDDEN);
  let ip = shr64(M, u32(52 - e));
  let back = shl64(ip, u32(52 - e));
  var n = i32(ip.y);
  if (neg) { n = -n; if (back.x != M.x || back.y != M.y) { n = n - 1; } }
  return n;
}
// float64 to float32 bits, round to nearest even (values here are never float32-subnormal).
fn toF32Bits(a: F64) -> u32 {
  let sg = a.x & 0x80000000u;
  if (fzero(a)) { return sg; }
  var e = fexp(a) - 1023 + 127;
  var m = ((a.x & 0xfffffu) << 3u) | (a.y >> 29u);
  let rest = a.y & 0x1fffffffu;
  if (rest > 0x10000000u || (rest == 0x10000000u && (m & 1u) == 1u)) { m = m + 1u; }
  if (m == 0x800000u) { m = 0u; e = e + 1; }
  return sg | (u32(e) << 23u) | m;
}

const ONE = F64(0x3ff00000u, 0u);
const TWO = F64(0x40000000u, 0u);
const THREE = F64(0x40080000u, 0u);
const HALF = F64(0x3fe00000u, 0u);
const BASE_FREQUENCY = F64(0x3f900000u, 0u); // 1 / 64
const FLAT_RADIUS = F64(0x40280000u, 0u);    // 12
const BLEND = F64(0x40380000u, 0u);          // 24

fn hash01(seed: u32, ix: i32, iz: i32) -> F64 {
  var h = seed + u32(ix) * 0x9e3779b1u;
  h = (h ^ (h >> 15u)) * 0x85ebca6bu;
  h = h + u32(iz) * 0xc2b2ae35u;
  h = (h ^ (h >> 13u)) * 0x27d4eb2fu;
  h = (h ^ (h >> 16u)) * 0x165667b1u;
  h = h ^ (h >> 15u);
  let v = fromU32(h, 0u);
  if (h == 0u) { return v; }
  return F64(v.x - (32u << 20u), v.y); // / 2^32
}
fn smoothT(t: F64) -> F64 { return fmul(fmul(t, t), fsub(THREE, fmul(TWO, t))); }
fn valueNoise(seed: u32, x: F64, z: F64) -> F64 {
  let x0 = floorI32(x); let z0 = floorI32(z);
  let sx = smoothT(fsub(x, fromI32(x0)));
  let sz = smoothT(fsub(z, fromI32(z0)));
  let a = hash01(seed, x0, z0); let b = hash01(seed, x0 + 1, z0);
  let c = hash01(seed, x0, z0 + 1); let d = hash01(seed, x0 + 1, z0 + 1);
  let top = fadd(a, fmul(fsub(b, a), sx));
  let bottom = fadd(c, fmul(fsub(d, c), sx));
  return fsub(fmul(TWO, fadd(top, fmul(fsub(bottom, top), sz))), ONE);
}
fn fractalNoise(seed: u32, x: F64, z: F64) -> F64 {
  var sum = F64(0u, 0u); var weight = F64(0u, 0u); var amplitude = ONE; var frequency = BASE_FREQUENCY;
  for (var octave = 0u; octave < 5u; octave = octave + 1u) {
    let octaveSeed = seed + (octave + 1u) * 0x632be5abu;
    sum = fadd(sum, fmul(amplitude, valueNoise(octaveSeed, fmul(x, frequency), fmul(z, frequency))));
    weight = fadd(weight, amplitude);
    amplitude = fmul(amplitude, HALF);
    frequency = fmul(frequency, TWO);
  }
  return fdiv(sum, weight);
}
fn spawnFalloff(x: F64, z: F64) -> F64 {
  let r = fsqrt(fadd(fmul(x, x), fmul(z, z)));
  var t = fdiv(fsub(r, FLAT_RADIUS), BLEND);
  if (flt(t, F64(0u, 0u))) { t = F64(0u, 0u); }
  if (flt(ONE, t)) { t = ONE; }
  return smoothT(t);
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let resolution = params[3];
  let count = params[1] * resolution;
  if (id.x >= count) { return; }
  let seed = params[2];
  let stepSize = F64(params[5], params[4]);
  let halfSize = F64(params[7], params[6]);
  let amplitude = F64(params[9], params[8]);
  let row = params[0] + id.x / resolution;
  let col = id.x % resolution;
  let x = fadd(fneg(halfSize), fmul(fromU32(col, 0u), stepSize));
  let z = fadd(fneg(halfSize), fmul(fromU32(row, 0u), stepSize));
  heights[id.x] = toF32Bits(fmul(fmul(amplitude, fractalNoise(seed, x, z)), spawnFalloff(x, z)));
}
`
