/**
 * The standard normal distribution, accurate to double precision in both tails.
 *
 * The upper tail uses W. J. Cody's rational Chebyshev approximations ("Rational Chebyshev
 * approximations for the error function", Math. Comp. 1969; ACM TOMS 715), the algorithm R's
 * pnorm runs. A naive `1 - cdf(z)` loses every digit once p-values fall below 1e-16, and the
 * judge must report p-values of well-separated samples with relative accuracy (they are compared
 * with SciPy to 1e-9).
 */

// Cody's coefficients, written as the doubles they round to.
const A = [2.2352520354606837, 161.02823106855587, 1067.6894854603709, 18154.98125334356];
const A4 = 0.06568233791820745;
const B = [47.202581904688245, 976.0985517377767, 10260.932208618979, 45507.78933502673];
const C = [
  0.39894151208813466, 8.883149794388377, 93.50665613217785, 597.2702763948002, 2494.5375852903726,
  6848.190450536283, 11602.65143764735, 9842.714838383978,
];
const C8 = 1.0765576773720192e-8;
const D = [
  22.266688044328117, 235.387901782625, 1519.3775994075547, 6485.558298266761, 18615.571640885097,
  34900.95272114598, 38912.00328609327, 19685.429676859992,
];
const P = [
  0.215898534057957, 0.12740116116024736, 0.022235277870649807, 0.0014216191932278934,
  0.000029112874951168793,
];
const P5 = 0.023073441764940174;
const Q = [
  1.284260096144911, 0.4682382124808651, 0.06598813786892856, 0.0037823963320275824, 0.00007297515550839662,
];
const INV_SQRT_2PI = 0.3989422804014327;
const SQRT_32 = 5.656854249492381;
/** Beyond this |z| the tail is below the smallest normal double (Cody's cut-off). */
const TAIL_LIMIT = 37.5193;

const at = (coefficients: readonly number[], index: number): number => coefficients[index] ?? NaN;

/** exp(-z²/2) split so that the square is exact: z = zr + δ with zr a multiple of 1/16. */
function gaussianFactor(z: number): number {
  const rounded = Math.trunc(z * 16) / 16;
  const delta = (z - rounded) * (z + rounded);
  return Math.exp(-rounded * rounded * 0.5) * Math.exp(-delta * 0.5);
}

/** Φ(z) - 1/2 for |z| <= 0.67448975. */
function centralPart(z: number): number {
  const zsq = z * z;
  let num = A4 * zsq;
  let den = zsq;
  for (let i = 0; i < 3; i++) {
    num = (num + at(A, i)) * zsq;
    den = (den + at(B, i)) * zsq;
  }
  return (z * (num + at(A, 3))) / (den + at(B, 3));
}

/** The smaller tail min(Φ(y), 1-Φ(y)) for y = |z| in (0.674, √32]. */
function middleTail(y: number): number {
  let num = C8 * y;
  let den = y;
  for (let i = 0; i < 7; i++) {
    num = (num + at(C, i)) * y;
    den = (den + at(D, i)) * y;
  }
  return (gaussianFactor(y) * (num + at(C, 7))) / (den + at(D, 7));
}

/** The smaller tail for y = |z| in (√32, 37.5193). */
function farTail(y: number): number {
  const ysq = 1 / (y * y);
  let num = P5 * ysq;
  let den = ysq;
  for (let i = 0; i < 4; i++) {
    num = (num + at(P, i)) * ysq;
    den = (den + at(Q, i)) * ysq;
  }
  const correction = (ysq * (num + at(P, 4))) / (den + at(Q, 4));
  return (gaussianFactor(y) * (INV_SQRT_2PI - correction)) / y;
}

/**
 * The upper tail P(Z > z) of the standard normal distribution, with relative accuracy near
 * machine precision down to about 1e-308 (it returns 0 beyond z ≈ 37.5 and 1 below -37.5).
 */
export function normalSf(z: number): number {
  if (Number.isNaN(z)) return NaN;
  const y = Math.abs(z);
  if (y <= 0.67448975) return 0.5 - centralPart(z);
  let small: number;
  if (y <= SQRT_32) small = middleTail(y);
  else if (y < TAIL_LIMIT) small = farTail(y);
  else small = 0;
  return z > 0 ? small : 1 - small;
}

/** The lower tail P(Z <= z) = Φ(z). */
export function normalCdf(z: number): number {
  return normalSf(-z);
}

/** Density φ(z). */
function normalPdf(z: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * z * z);
}

/** Acklam's rational approximation of Φ⁻¹ (relative error about 1e-9), refined below. */
function roughQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734];
  const c5 = [4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (q: number): number =>
    (((((at(c, 0) * q + at(c, 1)) * q + at(c, 2)) * q + at(c, 3)) * q + at(c5, 0)) * q + at(c5, 1)) /
    ((((at(d, 0) * q + at(d, 1)) * q + at(d, 2)) * q + at(d, 3)) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((at(a, 0) * r + at(a, 1)) * r + at(a, 2)) * r + at(a, 3)) * r + at(a, 4)) * r + 2.506628277459239) *
      q) /
    (((((at(b, 0) * r + at(b, 1)) * r + at(b, 2)) * r + at(b, 3)) * r + at(b, 4)) * r + 1)
  );
}

/**
 * The quantile Φ⁻¹(p) of the standard normal distribution, to near machine precision:
 * Acklam's approximation refined by Halley steps against the accurate tail above.
 */
export function normalQuantile(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  // Work in the lower half so the residual is computed from a tail probability, not 1 - tail.
  if (p > 0.5) return -normalQuantile(1 - p);
  let z = roughQuantile(p);
  for (let step = 0; step < 3; step++) {
    const residual = normalCdf(z) - p;
    const u = residual / normalPdf(z);
    z = z - u / (1 + (z * u) / 2);
  }
  return z;
}
