// The bfloat16 filter gradient of a 2-D convolution with AVX512_BF16 (see filter_grad.h
// and, for the matrix products and the lists of x's runs, filter_grad.c and plan.c).
//
// VDPBF16PS multiplies pairs of bfloat16 values and adds both products to a float32 lane:
// here a pair is two positions of the contraction, the same (r, q) of dy in two images
// (2β and 2β + 1; an odd batch's last image is paired with zeros). Both read x at the same
// place, so a filter tap keeps or leaves out (in the padding, as in float32) both, and dy's
// rows, interleaved in pairs once per block of pairs, a panel per column tile, serve every
// group. A group's x rows are packed once per block as 32-bit pairs, one row of the
// group's run each, to broadcast. The float32 sums are rounded to bfloat16 once, at the end.

#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

#include "filter_grad.h"

enum { ROWS = TFRUN_CONV_TILE_ROWS, VECTORS = TFRUN_CONV_TILE_VECTORS, COLUMNS = TFRUN_CONV_TILE_COLUMNS };

int tfrun_conv_filter_grad_bf16_supported(void) {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512bf16");
#else
  return 0;
#endif
}

#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512bf16")

// tile accumulates rows × (16·vectors) float32 outputs c (row stride ldc) over pairs pairs:
// c[i, v] += a[t·lda + i]·b[at[t]·COLUMNS + v] as pairs of bfloat16 (32-bit units of a and
// b), starting from zero when first.
static inline __attribute__((always_inline)) void tile(const int rows, const int vectors, int64_t pairs,
                                                       const uint32_t* a, int64_t lda, const int32_t* at,
                                                       const uint32_t* b, float* c, int64_t ldc, int first) {
  __m512 acc[ROWS][VECTORS];
  for (int i = 0; i < rows; i++) {
    for (int v = 0; v < vectors; v++) acc[i][v] = first ? _mm512_setzero_ps() : _mm512_loadu_ps(c + i * ldc + 16 * v);
  }
  for (int64_t t = 0; t < pairs; t++) {
    const uint32_t* ap = a + t * lda;
    const uint32_t* bp = b + (int64_t)at[t] * COLUMNS;
    __m512i bv[VECTORS];
    for (int v = 0; v < vectors; v++) bv[v] = _mm512_loadu_si512(bp + 16 * v);
    for (int i = 0; i < rows; i++) {
      __m512i s = _mm512_set1_epi32((int)ap[i]);
      for (int v = 0; v < vectors; v++) acc[i][v] = _mm512_dpbf16_ps(acc[i][v], (__m512bh)s, (__m512bh)bv[v]);
    }
  }
  for (int i = 0; i < rows; i++) {
    for (int v = 0; v < vectors; v++) _mm512_storeu_ps(c + i * ldc + 16 * v, acc[i][v]);
  }
}

typedef void (*tile_fn)(int64_t, const uint32_t*, int64_t, const int32_t*, const uint32_t*, float*, int64_t, int);

#define TILE_FN(R, V)                                                                                      \
  static void tile_##R##_##V(int64_t pairs, const uint32_t* a, int64_t lda, const int32_t* at,           \
                             const uint32_t* b, float* c, int64_t ldc, int first) {                       \
    tile(R, V, pairs, a, lda, at, b, c, ldc, first);                                                     \
  }
#define TILE_FNS(R) TILE_FN(R, 1) TILE_FN(R, 2) TILE_FN(R, 3) TILE_FN(R, 4)
TILE_FNS(1)
TILE_FNS(2)
TILE_FNS(3)
TILE_FNS(4)
TILE_FNS(5)
TILE_FNS(6)

static const tile_fn tiles[ROWS][VECTORS] = {
    {tile_1_1, tile_1_2, tile_1_3, tile_1_4}, {tile_2_1, tile_2_2, tile_2_3, tile_2_4},
    {tile_3_1, tile_3_2, tile_3_3, tile_3_4}, {tile_4_1, tile_4_2, tile_4_3, tile_4_4},
    {tile_5_1, tile_5_2, tile_5_3, tile_5_4}, {tile_6_1, tile_6_2, tile_6_3, tile_6_4},
};

// interleave writes n (≤ 32) pairs (u[r], v[r]) as 32-bit units to out; u or v NULL: zeros.
static inline void interleave(const uint16_t* u, const uint16_t* v, int64_t n, uint32_t* out) {
  static const uint16_t lo_idx[32] = {0, 32, 1, 33, 2,  34, 3,  35, 4,  36, 5,  37, 6,  38, 7,  39,
                                      8, 40, 9, 41, 10, 42, 11, 43, 12, 44, 13, 45, 14, 46, 15, 47};
  const __m512i lo = _mm512_loadu_si512(lo_idx), hi = _mm512_add_epi16(lo, _mm512_set1_epi16(16));
  const __mmask32 m = n >= 32 ? 0xFFFFFFFFu : (__mmask32)((1u << n) - 1);
  __m512i a = u ? _mm512_maskz_loadu_epi16(m, u) : _mm512_setzero_si512();
  __m512i b = v ? _mm512_maskz_loadu_epi16(m, v) : _mm512_setzero_si512();
  __m512i first = _mm512_permutex2var_epi16(a, lo, b), second = _mm512_permutex2var_epi16(a, hi, b);
  const __mmask16 m1 = n >= 16 ? 0xFFFF : (__mmask16)((1u << n) - 1);
  const __mmask16 m2 = n >= 32 ? 0xFFFF : n <= 16 ? 0 : (__mmask16)((1u << (n - 16)) - 1);
  _mm512_mask_storeu_epi32(out, m1, first);
  _mm512_mask_storeu_epi32(out + 16, m2, second);
}

void tfrun_conv_pack_pairs(const uint16_t* u, const uint16_t* v, int64_t n, uint32_t* out) {
  for (int64_t r = 0; r < n; r += 32) interleave(u ? u + r : NULL, v ? v + r : NULL, n - r < 32 ? n - r : 32, out + r);
}

#pragma GCC pop_options

// A job is (group, column tile, row tile), numbered in that order: a thread's jobs of one
// group share its packed rows of x.
typedef struct {
  const tfrun_conv_geometry* g;
  tfrun_conv_plan p;
  const uint16_t *x, *dy;
  float* sums;  // [kh·kw·ci, co]
  int64_t jobs;
} args;

// Pair P (of ceil(n/2)·oh·ow) is the position (r, q) = (P mod oh·ow) of dy in images 2β
// and 2β + 1, β = P / (oh·ow); a block is BLOCK_PAIRS of them, twice float32's positions
// (a tile's accumulators are loaded and stored once a block: 64 pairs ran 8–12% slower on
// the DCGANs' gradients, 256 no faster; Zen 5, session 20).
enum { BLOCK_PAIRS = TFRUN_CONV_BLOCK };

// pack_panels interleaves dy's rows of the pairs [p0, p0 + pairs) into panel: per column
// tile, COLUMNS 32-bit units a pair.
static void pack_panels(const tfrun_conv_geometry* g, const tfrun_conv_plan* p, const uint16_t* dy, int64_t p0,
                        int64_t pairs, uint32_t* panel) {
  const int64_t area = g->oh * g->ow;
  int64_t beta = p0 / area, rem = p0 % area;
  for (int64_t k = 0; k < pairs; k++, rem++) {
    if (rem == area) rem = 0, beta++;
    const uint16_t* u = dy + (2 * beta * area + rem) * g->co;
    const uint16_t* v = 2 * beta + 1 < g->n ? u + area * g->co : NULL;
    for (int64_t ct = 0; ct < p->column_tiles; ct++) {
      int64_t c0 = ct * COLUMNS, width = g->co - c0 < COLUMNS ? g->co - c0 : COLUMNS;
      tfrun_conv_pack_pairs(u + c0, v ? v + c0 : NULL, width, panel + (ct * BLOCK_PAIRS + k) * COLUMNS);
    }
  }
}

// pack_rows packs x's rows of one group for the pairs [p0, p0 + pairs) whose run is not
// wholly in the padding into a (p->run 32-bit units a pair), each pair's index in the
// block in at, and returns how many it packed. edges has room for two runs.
static int64_t pack_rows(const tfrun_conv_geometry* g, const tfrun_conv_plan* p, const uint16_t* x, int64_t p0,
                         int64_t pairs, int64_t group, uint32_t* a, int32_t* at, uint16_t* edges) {
  const int64_t per_row = g->kw / p->span, i = group / per_row, j0 = (group % per_row) * p->span;
  const int64_t area = g->oh * g->ow;
  int64_t beta = p0 / area, rem = p0 % area, r = rem / g->ow, q = rem % g->ow, rows = 0;
  for (int64_t k = 0; k < pairs; k++, q++) {
    if (q == g->ow) q = 0, r++;
    if (r == g->oh) r = 0, beta++;
    int64_t row = r * g->stride_h + i - g->pad_top, col = q * g->stride_w - g->pad_left + j0;
    const uint16_t* u = tfrun_conv_run_at(g, p, x, sizeof *x, 2 * beta, row, col, edges);
    if (u == NULL) continue;
    const uint16_t* v =
        2 * beta + 1 < g->n ? tfrun_conv_run_at(g, p, x, sizeof *x, 2 * beta + 1, row, col, edges + p->run) : NULL;
    tfrun_conv_pack_pairs(u, v, p->run, a + rows * p->run);
    at[rows++] = (int32_t)k;
  }
  return rows;
}

static int work(void* arg, int t, int threads) {
  const args* w = arg;
  const tfrun_conv_geometry* g = w->g;
  const tfrun_conv_plan* p = &w->p;
  const int64_t begin = w->jobs * t / threads, end = w->jobs * (t + 1) / threads;
  const int64_t per_group = p->column_tiles * p->row_tiles, total = (g->n + 1) / 2 * g->oh * g->ow;
  int32_t* at = malloc(BLOCK_PAIRS * sizeof *at);
  uint16_t* edges = malloc((size_t)(2 * p->run) * sizeof *edges);
  uint32_t* a = aligned_alloc(64, (size_t)(BLOCK_PAIRS * p->run + 32) * sizeof *a);
  uint32_t* panel = aligned_alloc(64, (size_t)(p->column_tiles * BLOCK_PAIRS * COLUMNS) * sizeof *panel);
  int ok = at && edges && a && panel;
  for (int64_t p0 = 0; ok && p0 < total; p0 += BLOCK_PAIRS) {
    int64_t pairs = total - p0 < BLOCK_PAIRS ? total - p0 : BLOCK_PAIRS;
    pack_panels(g, p, w->dy, p0, pairs, panel);
    int64_t listed = -1, rows = 0;  // the group whose rows a holds, and how many pairs
    for (int64_t job = begin; job < end; job++) {
      int64_t group = job / per_group, column_tile = (job / p->row_tiles) % p->column_tiles;
      int64_t r0 = (job % p->row_tiles) * ROWS, c0 = column_tile * COLUMNS;
      int64_t vectors = (g->co - c0) / 16 < VECTORS ? (g->co - c0) / 16 : VECTORS;
      if (group != listed) {
        rows = pack_rows(g, p, w->x, p0, pairs, group, a, at, edges);
        listed = group;
      }
      int64_t height = p->run - r0 < ROWS ? p->run - r0 : ROWS;
      tiles[height - 1][vectors - 1](rows, a + r0, p->run, at, panel + column_tile * BLOCK_PAIRS * COLUMNS,
                                     w->sums + (group * p->run + r0) * g->co + c0, g->co, p0 == 0);
    }
  }
  free(at), free(edges), free(a), free(panel);
  return ok ? 0 : -1;
}

int tfrun_conv_filter_grad_bf16(const tfrun_conv_geometry* g, const uint16_t* x, const uint16_t* dy, uint16_t* dw,
                                int threads) {
  if (g->ci <= TFRUN_CONV_FEW_CHANNELS && g->n > 0 && g->oh > 0 && g->ow > 0)
    return tfrun_conv_filter_grad_bf16_few(g, x, dy, dw, threads);
  const int64_t size = g->kh * g->kw * g->ci * g->co;
  args w = {g, tfrun_conv_make_plan(g), x, dy, NULL, 0};
  w.jobs = w.p.groups * w.p.column_tiles * w.p.row_tiles;
  if (w.p.positions == 0 || w.jobs == 0) {
    memset(dw, 0, (size_t)size * sizeof *dw);
    return 0;
  }
  if ((w.sums = malloc((size_t)size * sizeof *w.sums)) == NULL) return -1;
  int64_t multiply_adds = w.p.positions * g->kh * g->kw * g->ci * g->co;
  int r = tfrun_conv_run_threads(work, &w, tfrun_conv_threads(threads, w.jobs, multiply_adds));
  for (int64_t i = 0; r == 0 && i < size; i++) dw[i] = tfrun_bf16_round(w.sums[i]);
  free(w.sums);
  return r;
}
