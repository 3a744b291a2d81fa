// The bfloat16 filter gradient of a convolution with few input channels (an image's 1 or
// 3), with AVX512_BF16 (see filter_grad.h).
//
// With one channel a filter row is a group of only kw rows (plan.c), and the general
// kernel spent its time listing and packing x's runs (two runs a position, for every
// group) and packing dy once per thread, not in products: 95–110 GFLOP/s on
// dcgan_mnist's first conv, where the float32 kernel ran at 115–135. Here x is small (an
// image's pixels) and is packed once per pair of images instead, whole:
//
//   xp[R, C, c] = (x[2β, R − pt, C − pl, c], x[2β + 1, R − pt, C − pl, c]),
//
// with zeros outside x, over every row and column the filter reaches. A filter row i's
// rows m = j·ci + c then read, at dy's position (r, q), the 32-bit units
// xp[(r·sh + i)·wp + q·sw][m]: consecutive for consecutive m, a fixed step from one
// position to the next, so a tile broadcasts them in place, as it reads dy's pairs,
// interleaved once per pair of images, in place. The padding's taps are computed (on
// zeros): with 1 to 4 channels that costs less than leaving them out did.
//
// The pairs of images are cut into chunks by the geometry alone, each summed on its own
// from zero in float32; the chunks' sums are added in order and rounded to bfloat16 once.
// A thread runs whole chunks, so the result does not depend on the number of threads.

#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

#include "filter_grad.h"

enum {
  ROWS = TFRUN_CONV_TILE_ROWS,
  VECTORS = TFRUN_CONV_TILE_VECTORS,
  COLUMNS = TFRUN_CONV_TILE_COLUMNS,
  MAX_CHUNKS = 32,     // at most this many chunks (each a copy of dw's sums in float32)
  MIN_CHUNK_PAIRS = 2  // pairs of images per chunk, at least
};

#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512bf16")

// tile accumulates rows × (16·vectors) float32 sums c (row stride ldc), starting from zero
// when first, over dy's oh × ow positions (r, q): c[m, v] += a[r·a_row + q·a_col + m]·
// b[(r·ow + q)·ldb + 16v], pairs of bfloat16 in 32-bit units.
static inline __attribute__((always_inline)) void tile(const int rows, const int vectors, int64_t oh, int64_t ow,
                                                       const uint32_t* a, int64_t a_row, int64_t a_col,
                                                       const uint32_t* b, int64_t ldb, float* c, int64_t ldc,
                                                       int first) {
  __m512 acc[ROWS][VECTORS];
  for (int m = 0; m < rows; m++) {
    for (int v = 0; v < vectors; v++) acc[m][v] = first ? _mm512_setzero_ps() : _mm512_loadu_ps(c + m * ldc + 16 * v);
  }
  for (int64_t r = 0; r < oh; r++) {
    const uint32_t* ap = a + r * a_row;
    const uint32_t* bp = b + r * ow * ldb;
    for (int64_t q = 0; q < ow; q++, ap += a_col, bp += ldb) {
      __m512i bv[VECTORS];
      for (int v = 0; v < vectors; v++) bv[v] = _mm512_loadu_si512(bp + 16 * v);
      for (int m = 0; m < rows; m++) {
        __m512i s = _mm512_set1_epi32((int)ap[m]);
        for (int v = 0; v < vectors; v++) acc[m][v] = _mm512_dpbf16_ps(acc[m][v], (__m512bh)s, (__m512bh)bv[v]);
      }
    }
  }
  for (int m = 0; m < rows; m++) {
    for (int v = 0; v < vectors; v++) _mm512_storeu_ps(c + m * ldc + 16 * v, acc[m][v]);
  }
}

typedef void (*tile_fn)(int64_t, int64_t, const uint32_t*, int64_t, int64_t, const uint32_t*, int64_t, float*,
                        int64_t, int);

#define TILE_FN(R, V)                                                                                        \
  static void tile_##R##_##V(int64_t oh, int64_t ow, const uint32_t* a, int64_t a_row, int64_t a_col,      \
                             const uint32_t* b, int64_t ldb, float* c, int64_t ldc, int first) {            \
    tile(R, V, oh, ow, a, a_row, a_col, b, ldb, c, ldc, first);                                            \
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

#pragma GCC pop_options

typedef struct {
  const tfrun_conv_geometry* g;
  const uint16_t *x, *dy;
  int64_t hp, wp;          // xp's rows and columns
  int64_t pairs, chunk;    // pairs of images, and per chunk
  int64_t size;            // dw's elements
  float* sums;             // [chunks, size]
} args;

// pack_x writes xp for the images u and v (NULL: zeros) of x.
static void pack_x(const args* w, const uint16_t* u, const uint16_t* v, uint32_t* xp) {
  const tfrun_conv_geometry* g = w->g;
  memset(xp, 0, (size_t)(w->hp * w->wp * g->ci) * sizeof *xp);
  const int64_t r0 = g->pad_top > 0 ? g->pad_top : 0, r1 = g->h + g->pad_top < w->hp ? g->h + g->pad_top : w->hp;
  const int64_t c0 = g->pad_left > 0 ? g->pad_left : 0, c1 = g->w + g->pad_left < w->wp ? g->w + g->pad_left : w->wp;
  if (c1 <= c0) return;
  for (int64_t row = r0; row < r1; row++) {
    const int64_t at = ((row - g->pad_top) * g->w + c0 - g->pad_left) * g->ci;
    tfrun_conv_pack_pairs(u + at, v ? v + at : NULL, (c1 - c0) * g->ci, xp + (row * w->wp + c0) * g->ci);
  }
}

static int work(void* arg, int t, int threads) {
  const args* w = arg;
  const tfrun_conv_geometry* g = w->g;
  const int64_t chunks = (w->pairs + w->chunk - 1) / w->chunk;
  const int64_t begin = chunks * t / threads, end = chunks * (t + 1) / threads;
  const int64_t image = g->h * g->w * g->ci, area = g->oh * g->ow, run = g->kw * g->ci;
  const int64_t row_tiles = (run + ROWS - 1) / ROWS, column_tiles = (g->co + COLUMNS - 1) / COLUMNS;
  uint32_t* xp = aligned_alloc(64, (size_t)((w->hp * w->wp * g->ci + 16 + 15) / 16 * 16) * sizeof *xp);
  uint32_t* panel = aligned_alloc(64, (size_t)((area * g->co + 15) / 16 * 16) * sizeof *panel);
  int ok = xp && panel;
  for (int64_t k = begin; ok && k < end; k++) {
    float* sums = w->sums + k * w->size;
    const int64_t last = (k + 1) * w->chunk < w->pairs ? (k + 1) * w->chunk : w->pairs;
    for (int64_t beta = k * w->chunk; beta < last; beta++) {
      const int64_t second = 2 * beta + 1 < g->n;
      pack_x(w, w->x + 2 * beta * image, second ? w->x + (2 * beta + 1) * image : NULL, xp);
      const uint16_t* u = w->dy + 2 * beta * area * g->co;
      tfrun_conv_pack_pairs(u, second ? u + area * g->co : NULL, area * g->co, panel);
      for (int64_t i = 0; i < g->kh; i++) {
        for (int64_t rt = 0; rt < row_tiles; rt++) {
          const int64_t m0 = run * rt / row_tiles, height = run * (rt + 1) / row_tiles - m0;
          for (int64_t ct = 0; ct < column_tiles; ct++) {
            const int64_t c0 = ct * COLUMNS, vectors = (g->co - c0) / 16 < VECTORS ? (g->co - c0) / 16 : VECTORS;
            tiles[height - 1][vectors - 1](g->oh, g->ow, xp + i * w->wp * g->ci + m0, g->stride_h * w->wp * g->ci,
                                           g->stride_w * g->ci, panel + c0, g->co,
                                           sums + (i * run + m0) * g->co + c0, g->co, beta == k * w->chunk);
          }
        }
      }
    }
  }
  free(xp), free(panel);
  return ok ? 0 : -1;
}

int tfrun_conv_filter_grad_bf16_few(const tfrun_conv_geometry* g, const uint16_t* x, const uint16_t* dy,
                                    uint16_t* dw, int threads) {
  args w = {g, x, dy, (g->oh - 1) * g->stride_h + g->kh, (g->ow - 1) * g->stride_w + g->kw, (g->n + 1) / 2, 0,
            g->kh * g->kw * g->ci * g->co, NULL};
  w.chunk = (w.pairs + MAX_CHUNKS - 1) / MAX_CHUNKS;
  if (w.chunk < MIN_CHUNK_PAIRS) w.chunk = MIN_CHUNK_PAIRS;
  const int64_t chunks = (w.pairs + w.chunk - 1) / w.chunk;
  if ((w.sums = malloc((size_t)(chunks * w.size) * sizeof *w.sums)) == NULL) return -1;
  const int64_t multiply_adds = g->n * g->oh * g->ow * g->kh * g->kw * g->ci * g->co;
  int r = tfrun_conv_run_threads(work, &w, tfrun_conv_threads(threads, chunks, multiply_adds));
  for (int64_t e = 0; r == 0 && e < w.size; e++) {
    float s = w.sums[e];
    for (int64_t k = 1; k < chunks; k++) s += w.sums[k * w.size + e];
    dw[e] = tfrun_bf16_round(s);
  }
  free(w.sums);
  return r;
}
