// The float32 filter gradient of a convolution with few input channels (an image's 1 or 3),
// with AVX-512F or AVX2 and FMA (see filter_grad.h and filter_grad_few_bf16.c, its
// bfloat16 twin).
//
// x is packed whole, an image at a time, with zeros outside it over every row and column
// the filter reaches: xp[R, C, c] = x[b, R − pt, C − pl, c]. A filter row i's rows
// m = j·ci + c read xp[(r·sh + i)·wp + q·sw][m] at dy's position (r, q), broadcast in
// place, and dy is read in place. The padding's taps are computed on zeros. The general
// kernel instead lists x's runs for every group at every position, which with 1 to 4
// channels cost more than the products.
//
// The images are cut into chunks by the geometry alone, each summed on its own from zero
// (one chain of fused multiply-adds an element, in the order of (b, r, q)); the chunks'
// sums are added in order. A thread runs whole chunks, and AVX2's tiles make the same
// chains as AVX-512F's, so the result depends on neither.

#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

#include "filter_grad.h"

enum {
  ROWS = TFRUN_CONV_TILE_ROWS,
  VECTORS = TFRUN_CONV_TILE_VECTORS,
  COLUMNS = TFRUN_CONV_TILE_COLUMNS,  // AVX-512F's column tiles; AVX2's are 16 wide
  MAX_CHUNKS = 32,                    // at most this many chunks (each a copy of dw's sums)
  MIN_CHUNK_IMAGES = 4                // images per chunk, at least
};

// A tile accumulates rows × width sums c (row stride ldc), starting from zero when first,
// over dy's oh × ow positions (r, q): c[m, v] += a[r·a_row + q·a_col + m]·b[(r·ow + q)·ldb + v].
typedef void (*tile_fn)(int64_t, int64_t, const float*, int64_t, int64_t, const float*, int64_t, float*, int64_t,
                        int);

#pragma GCC push_options
#pragma GCC target("avx512f")

static inline __attribute__((always_inline)) void tile512(const int rows, const int vectors, int64_t oh, int64_t ow,
                                                          const float* a, int64_t a_row, int64_t a_col,
                                                          const float* b, int64_t ldb, float* c, int64_t ldc,
                                                          int first) {
  __m512 acc[ROWS][VECTORS];
  for (int m = 0; m < rows; m++) {
    for (int v = 0; v < vectors; v++) acc[m][v] = first ? _mm512_setzero_ps() : _mm512_loadu_ps(c + m * ldc + 16 * v);
  }
  for (int64_t r = 0; r < oh; r++) {
    const float* ap = a + r * a_row;
    const float* bp = b + r * ow * ldb;
    for (int64_t q = 0; q < ow; q++, ap += a_col, bp += ldb) {
      __m512 bv[VECTORS];
      for (int v = 0; v < vectors; v++) bv[v] = _mm512_loadu_ps(bp + 16 * v);
      for (int m = 0; m < rows; m++) {
        __m512 s = _mm512_set1_ps(ap[m]);
        for (int v = 0; v < vectors; v++) acc[m][v] = _mm512_fmadd_ps(s, bv[v], acc[m][v]);
      }
    }
  }
  for (int m = 0; m < rows; m++) {
    for (int v = 0; v < vectors; v++) _mm512_storeu_ps(c + m * ldc + 16 * v, acc[m][v]);
  }
}

#define TILE512_FN(R, V)                                                                                    \
  static void tile512_##R##_##V(int64_t oh, int64_t ow, const float* a, int64_t a_row, int64_t a_col,      \
                                const float* b, int64_t ldb, float* c, int64_t ldc, int first) {            \
    tile512(R, V, oh, ow, a, a_row, a_col, b, ldb, c, ldc, first);                                         \
  }
#define TILE512_FNS(R) TILE512_FN(R, 1) TILE512_FN(R, 2) TILE512_FN(R, 3) TILE512_FN(R, 4)
TILE512_FNS(1)
TILE512_FNS(2)
TILE512_FNS(3)
TILE512_FNS(4)
TILE512_FNS(5)
TILE512_FNS(6)

static const tile_fn tiles512[ROWS][VECTORS] = {
    {tile512_1_1, tile512_1_2, tile512_1_3, tile512_1_4}, {tile512_2_1, tile512_2_2, tile512_2_3, tile512_2_4},
    {tile512_3_1, tile512_3_2, tile512_3_3, tile512_3_4}, {tile512_4_1, tile512_4_2, tile512_4_3, tile512_4_4},
    {tile512_5_1, tile512_5_2, tile512_5_3, tile512_5_4}, {tile512_6_1, tile512_6_2, tile512_6_3, tile512_6_4},
};

#pragma GCC pop_options
#pragma GCC push_options
#pragma GCC target("avx2,fma")

// tile256 is a tile of 16 columns in two 8-float vectors (12 accumulators of AVX2's 16
// registers).
static inline __attribute__((always_inline)) void tile256(const int rows, int64_t oh, int64_t ow, const float* a,
                                                          int64_t a_row, int64_t a_col, const float* b, int64_t ldb,
                                                          float* c, int64_t ldc, int first) {
  __m256 acc[ROWS][2];
  for (int m = 0; m < rows; m++) {
    for (int v = 0; v < 2; v++) acc[m][v] = first ? _mm256_setzero_ps() : _mm256_loadu_ps(c + m * ldc + 8 * v);
  }
  for (int64_t r = 0; r < oh; r++) {
    const float* ap = a + r * a_row;
    const float* bp = b + r * ow * ldb;
    for (int64_t q = 0; q < ow; q++, ap += a_col, bp += ldb) {
      __m256 b0 = _mm256_loadu_ps(bp), b1 = _mm256_loadu_ps(bp + 8);
      for (int m = 0; m < rows; m++) {
        __m256 s = _mm256_set1_ps(ap[m]);
        acc[m][0] = _mm256_fmadd_ps(s, b0, acc[m][0]);
        acc[m][1] = _mm256_fmadd_ps(s, b1, acc[m][1]);
      }
    }
  }
  for (int m = 0; m < rows; m++) {
    for (int v = 0; v < 2; v++) _mm256_storeu_ps(c + m * ldc + 8 * v, acc[m][v]);
  }
}

#define TILE256_FN(R)                                                                                        \
  static void tile256_##R(int64_t oh, int64_t ow, const float* a, int64_t a_row, int64_t a_col,             \
                          const float* b, int64_t ldb, float* c, int64_t ldc, int first) {                   \
    tile256(R, oh, ow, a, a_row, a_col, b, ldb, c, ldc, first);                                             \
  }
TILE256_FN(1)
TILE256_FN(2)
TILE256_FN(3)
TILE256_FN(4)
TILE256_FN(5)
TILE256_FN(6)

static const tile_fn tiles256[ROWS] = {tile256_1, tile256_2, tile256_3, tile256_4, tile256_5, tile256_6};

#pragma GCC pop_options

typedef struct {
  const tfrun_conv_geometry* g;
  const float *x, *dy;
  int64_t hp, wp;     // xp's rows and columns
  int64_t chunk;      // images per chunk
  int64_t size;       // dw's elements
  int avx512;         // AVX-512F's tiles, else AVX2's
  float* sums;        // [chunks, size]
} args;

// pack_x writes xp for image u of x.
static void pack_x(const args* w, const float* u, float* xp) {
  const tfrun_conv_geometry* g = w->g;
  memset(xp, 0, (size_t)(w->hp * w->wp * g->ci) * sizeof *xp);
  const int64_t r0 = g->pad_top > 0 ? g->pad_top : 0, r1 = g->h + g->pad_top < w->hp ? g->h + g->pad_top : w->hp;
  const int64_t c0 = g->pad_left > 0 ? g->pad_left : 0, c1 = g->w + g->pad_left < w->wp ? g->w + g->pad_left : w->wp;
  if (c1 <= c0) return;
  for (int64_t row = r0; row < r1; row++) {
    memcpy(xp + (row * w->wp + c0) * g->ci, u + ((row - g->pad_top) * g->w + c0 - g->pad_left) * g->ci,
           (size_t)((c1 - c0) * g->ci) * sizeof *xp);
  }
}

static int work(void* arg, int t, int threads) {
  const args* w = arg;
  const tfrun_conv_geometry* g = w->g;
  const int64_t chunks = (g->n + w->chunk - 1) / w->chunk;
  const int64_t begin = chunks * t / threads, end = chunks * (t + 1) / threads;
  const int64_t image = g->h * g->w * g->ci, area = g->oh * g->ow, run = g->kw * g->ci;
  const int64_t row_tiles = (run + ROWS - 1) / ROWS, width = w->avx512 ? COLUMNS : 16;
  const int64_t column_tiles = (g->co + width - 1) / width;
  float* xp = aligned_alloc(64, (size_t)((w->hp * w->wp * g->ci + 16 + 15) / 16 * 16) * sizeof *xp);
  if (xp == NULL) return -1;
  for (int64_t k = begin; k < end; k++) {
    float* sums = w->sums + k * w->size;
    const int64_t last = (k + 1) * w->chunk < g->n ? (k + 1) * w->chunk : g->n;
    for (int64_t b = k * w->chunk; b < last; b++) {
      pack_x(w, w->x + b * image, xp);
      const float* dy = w->dy + b * area * g->co;
      for (int64_t i = 0; i < g->kh; i++) {
        for (int64_t rt = 0; rt < row_tiles; rt++) {
          const int64_t m0 = run * rt / row_tiles, height = run * (rt + 1) / row_tiles - m0;
          for (int64_t ct = 0; ct < column_tiles; ct++) {
            const int64_t c0 = ct * width;
            tile_fn f = tiles256[height - 1];
            if (w->avx512) f = tiles512[height - 1][((g->co - c0) / 16 < VECTORS ? (g->co - c0) / 16 : VECTORS) - 1];
            f(g->oh, g->ow, xp + i * w->wp * g->ci + m0, g->stride_h * w->wp * g->ci, g->stride_w * g->ci, dy + c0,
              g->co, sums + (i * run + m0) * g->co + c0, g->co, b == k * w->chunk);
          }
        }
      }
    }
  }
  free(xp);
  return 0;
}

int tfrun_conv_filter_grad_f32_few(const tfrun_conv_geometry* g, const float* x, const float* dy, float* dw,
                                   int avx512, int threads) {
  args w = {g, x, dy, (g->oh - 1) * g->stride_h + g->kh, (g->ow - 1) * g->stride_w + g->kw, 0,
            g->kh * g->kw * g->ci * g->co, avx512, NULL};
  w.chunk = (g->n + MAX_CHUNKS - 1) / MAX_CHUNKS;
  if (w.chunk < MIN_CHUNK_IMAGES) w.chunk = MIN_CHUNK_IMAGES;
  const int64_t chunks = (g->n + w.chunk - 1) / w.chunk;
  if ((w.sums = malloc((size_t)(chunks * w.size) * sizeof *w.sums)) == NULL) return -1;
  const int64_t multiply_adds = g->n * g->oh * g->ow * g->kh * g->kw * g->ci * g->co;
  int r = tfrun_conv_run_threads(work, &w, tfrun_conv_threads(threads, chunks, multiply_adds));
  for (int64_t e = 0; r == 0 && e < w.size; e++) {
    float s = w.sums[e];
    for (int64_t k = 1; k < chunks; k++) s += w.sums[k * w.size + e];
    dw[e] = s;
  }
  free(w.sums);
  return r;
}
