// The filter gradient of a convolution with few input channels (an image's 1 or 3), in
// float32 with AVX-512F or AVX2 and FMA, and in bfloat16 with AVX512_BF16 (see
// filter_grad.h).
//
// With one channel a filter row is a group of only kw rows (plan.c), and the general
// kernels spent their time listing x's runs (in bfloat16 also packing them, two a
// position) for every group at every position, and in bfloat16 each thread packed all of
// dy. Here x is small (an image's pixels) and is packed whole, an image at a time (in
// bfloat16 a pair of images, 2β and 2β + 1, as 32-bit pairs), with zeros outside x over
// every row and column the filter reaches:
//
//   xp[R, C, c] = x[b, R − pt, C − pl, c].
//
// A filter row i's rows m = j·ci + c then read, at dy's position (r, q), the 4-byte units
// xp[(r·sh + i)·wp + q·sw][m]: consecutive for consecutive m, a fixed step from one
// position to the next, so a tile broadcasts them in place, and reads dy in place (in
// bfloat16 dy's pairs, interleaved once per pair of images). The padding's taps are
// computed on zeros: with 1 to 4 channels that costs less than leaving them out did.
//
// The images (pairs of images) are cut into chunks by the geometry alone, each summed on
// its own from zero in float32 (one chain an element, in the order of the images and
// (r, q)); the chunks' sums are added in order. A thread runs whole chunks, and AVX2's
// tiles make the same chains as AVX-512F's, so the result depends on neither.

#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

#include "filter_grad.h"

enum {
  ROWS = TFRUN_CONV_TILE_ROWS,
  VECTORS = TFRUN_CONV_TILE_VECTORS,
  COLUMNS = TFRUN_CONV_TILE_COLUMNS,  // a column tile's width; AVX2's are 16
  MAX_CHUNKS = 32,                    // at most this many chunks (each a copy of dw's sums)
  MIN_CHUNK_ITEMS = 4,                // images per chunk, at least (bfloat16: pairs, 2)
};

// The kernels: float32 in AVX-512F's or AVX2's tiles, or bfloat16.
enum { F32_AVX512, F32_AVX2, BF16 };

// A tile accumulates rows × width float32 sums c (row stride ldc), starting from zero when
// first, over dy's oh × ow positions (r, q): c[m, v] += a[r·a_row + q·a_col + m]·
// b[(r·ow + q)·ldb + v], a and b in 4-byte units (floats, or pairs of bfloat16).
typedef void (*tile_fn)(int64_t, int64_t, const void*, int64_t, int64_t, const void*, int64_t, float*, int64_t, int);

#define TILE_FN(NAME, BODY, R, V)                                                                             \
  static void NAME##_##R##_##V(int64_t oh, int64_t ow, const void* a, int64_t a_row, int64_t a_col,          \
                               const void* b, int64_t ldb, float* c, int64_t ldc, int first) {               \
    BODY(R, V, oh, ow, a, a_row, a_col, b, ldb, c, ldc, first);                                              \
  }
#define TILE_FNS(NAME, BODY, R) \
  TILE_FN(NAME, BODY, R, 1) TILE_FN(NAME, BODY, R, 2) TILE_FN(NAME, BODY, R, 3) TILE_FN(NAME, BODY, R, 4)
#define TILE_ALL(NAME, BODY)                                                                                \
  TILE_FNS(NAME, BODY, 1)                                                                                   \
  TILE_FNS(NAME, BODY, 2)                                                                                   \
  TILE_FNS(NAME, BODY, 3) TILE_FNS(NAME, BODY, 4) TILE_FNS(NAME, BODY, 5) TILE_FNS(NAME, BODY, 6)
#define TILE_ROW(NAME, R) {NAME##_##R##_1, NAME##_##R##_2, NAME##_##R##_3, NAME##_##R##_4}
#define TILE_TABLE(NAME)                                                                                    \
  {TILE_ROW(NAME, 1), TILE_ROW(NAME, 2), TILE_ROW(NAME, 3), TILE_ROW(NAME, 4), TILE_ROW(NAME, 5),           \
   TILE_ROW(NAME, 6)}

#pragma GCC push_options
#pragma GCC target("avx512f")

static inline __attribute__((always_inline)) void tile512(const int rows, const int vectors, int64_t oh, int64_t ow,
                                                          const void* a, int64_t a_row, int64_t a_col,
                                                          const void* b, int64_t ldb, float* c, int64_t ldc,
                                                          int first) {
  __m512 acc[ROWS][VECTORS];
  for (int m = 0; m < rows; m++) {
    for (int v = 0; v < vectors; v++) acc[m][v] = first ? _mm512_setzero_ps() : _mm512_loadu_ps(c + m * ldc + 16 * v);
  }
  for (int64_t r = 0; r < oh; r++) {
    const float* ap = (const float*)a + r * a_row;
    const float* bp = (const float*)b + r * ow * ldb;
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
TILE_ALL(tile512, tile512)

#pragma GCC pop_options
#pragma GCC push_options
#pragma GCC target("avx2,fma")

// tile256's tiles are 16 columns, two 8-float vectors (12 accumulators of AVX2's 16
// registers); its vectors argument is ignored.
static inline __attribute__((always_inline)) void tile256(const int rows, const int vectors, int64_t oh, int64_t ow,
                                                          const void* a, int64_t a_row, int64_t a_col,
                                                          const void* b, int64_t ldb, float* c, int64_t ldc,
                                                          int first) {
  (void)vectors;
  __m256 acc[ROWS][2];
  for (int m = 0; m < rows; m++) {
    for (int v = 0; v < 2; v++) acc[m][v] = first ? _mm256_setzero_ps() : _mm256_loadu_ps(c + m * ldc + 8 * v);
  }
  for (int64_t r = 0; r < oh; r++) {
    const float* ap = (const float*)a + r * a_row;
    const float* bp = (const float*)b + r * ow * ldb;
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
TILE_FN(tile256, tile256, 1, 1)
TILE_FN(tile256, tile256, 2, 1)
TILE_FN(tile256, tile256, 3, 1)
TILE_FN(tile256, tile256, 4, 1)
TILE_FN(tile256, tile256, 5, 1)
TILE_FN(tile256, tile256, 6, 1)

#pragma GCC pop_options
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512bf16")

// tile_bf16 is tile512 over pairs of bfloat16 (VDPBF16PS), a's and b's units 32-bit pairs.
static inline __attribute__((always_inline)) void tile_bf16(const int rows, const int vectors, int64_t oh,
                                                            int64_t ow, const void* a, int64_t a_row, int64_t a_col,
                                                            const void* b, int64_t ldb, float* c, int64_t ldc,
                                                            int first) {
  __m512 acc[ROWS][VECTORS];
  for (int m = 0; m < rows; m++) {
    for (int v = 0; v < vectors; v++) acc[m][v] = first ? _mm512_setzero_ps() : _mm512_loadu_ps(c + m * ldc + 16 * v);
  }
  for (int64_t r = 0; r < oh; r++) {
    const uint32_t* ap = (const uint32_t*)a + r * a_row;
    const uint32_t* bp = (const uint32_t*)b + r * ow * ldb;
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
TILE_ALL(tile_bf16, tile_bf16)

#pragma GCC pop_options

static const tile_fn tiles512[ROWS][VECTORS] = TILE_TABLE(tile512);
static const tile_fn tiles_bf16[ROWS][VECTORS] = TILE_TABLE(tile_bf16);
static const tile_fn tiles256[ROWS] = {tile256_1_1, tile256_2_1, tile256_3_1, tile256_4_1, tile256_5_1, tile256_6_1};

typedef struct {
  const tfrun_conv_geometry* g;
  int kind;
  const void *x, *dy;
  int64_t hp, wp;         // xp's rows and columns
  int64_t items, chunk;   // images (bfloat16: pairs of images), and per chunk
  int64_t size;           // dw's elements
  float* sums;            // [chunks, size]
} args;

// pack writes xp for item (an image, or a pair of images) and returns dy's rows for it:
// dy itself in float32, the item's pairs interleaved into panel in bfloat16.
static const void* pack(const args* w, int64_t item, uint32_t* xp, uint32_t* panel) {
  const tfrun_conv_geometry* g = w->g;
  const int64_t image = g->h * g->w * g->ci, rows = g->oh * g->ow * g->co;
  memset(xp, 0, (size_t)(w->hp * w->wp * g->ci) * sizeof *xp);
  // xp's rows [r0, r1) and columns [c0, c1) hold x's pixels.
  const int64_t r0 = g->pad_top > 0 ? g->pad_top : 0, r1 = g->h + g->pad_top < w->hp ? g->h + g->pad_top : w->hp;
  const int64_t c0 = g->pad_left > 0 ? g->pad_left : 0, c1 = g->w + g->pad_left < w->wp ? g->w + g->pad_left : w->wp;
  if (w->kind != BF16) {
    const float* u = (const float*)w->x + item * image;
    for (int64_t row = r0; c1 > c0 && row < r1; row++) {
      memcpy(xp + (row * w->wp + c0) * g->ci, u + ((row - g->pad_top) * g->w + c0 - g->pad_left) * g->ci,
             (size_t)((c1 - c0) * g->ci) * sizeof *xp);
    }
    return (const float*)w->dy + item * rows;
  }
  const int second = 2 * item + 1 < g->n;
  const uint16_t* u = (const uint16_t*)w->x + 2 * item * image;
  for (int64_t row = r0; c1 > c0 && row < r1; row++) {
    const int64_t at = ((row - g->pad_top) * g->w + c0 - g->pad_left) * g->ci;
    tfrun_conv_pack_pairs(u + at, second ? u + image + at : NULL, (c1 - c0) * g->ci, xp + (row * w->wp + c0) * g->ci);
  }
  const uint16_t* d = (const uint16_t*)w->dy + 2 * item * rows;
  tfrun_conv_pack_pairs(d, second ? d + rows : NULL, rows, panel);
  return panel;
}

static int work(void* arg, int t, int threads) {
  const args* w = arg;
  const tfrun_conv_geometry* g = w->g;
  const int64_t chunks = (w->items + w->chunk - 1) / w->chunk;
  const int64_t begin = chunks * t / threads, end = chunks * (t + 1) / threads;
  const int64_t run = g->kw * g->ci, row_tiles = (run + ROWS - 1) / ROWS;
  const int64_t width = w->kind == F32_AVX2 ? 16 : COLUMNS, column_tiles = (g->co + width - 1) / width;
  uint32_t* xp = aligned_alloc(64, (size_t)((w->hp * w->wp * g->ci + 16 + 15) / 16 * 16) * sizeof *xp);
  uint32_t* panel = w->kind == BF16 ? aligned_alloc(64, (size_t)((g->oh * g->ow * g->co + 15) / 16 * 16) * sizeof *panel)
                                    : NULL;
  const int ok = xp && (panel || w->kind != BF16);
  for (int64_t k = begin; ok && k < end; k++) {
    float* sums = w->sums + k * w->size;
    const int64_t first = k * w->chunk, last = first + w->chunk < w->items ? first + w->chunk : w->items;
    for (int64_t item = first; item < last; item++) {
      const uint32_t* dy = pack(w, item, xp, panel);
      for (int64_t i = 0; i < g->kh; i++) {
        for (int64_t rt = 0; rt < row_tiles; rt++) {
          const int64_t m0 = run * rt / row_tiles, height = run * (rt + 1) / row_tiles - m0;
          for (int64_t ct = 0; ct < column_tiles; ct++) {
            const int64_t c0 = ct * width, vectors = (g->co - c0) / 16 < VECTORS ? (g->co - c0) / 16 : VECTORS;
            const tile_fn f = w->kind == F32_AVX2 ? tiles256[height - 1]
                              : w->kind == BF16   ? tiles_bf16[height - 1][vectors - 1]
                                                  : tiles512[height - 1][vectors - 1];
            f(g->oh, g->ow, xp + i * w->wp * g->ci + m0, g->stride_h * w->wp * g->ci, g->stride_w * g->ci, dy + c0,
              g->co, sums + (i * run + m0) * g->co + c0, g->co, item == first);
          }
        }
      }
    }
  }
  free(xp), free(panel);
  return ok ? 0 : -1;
}

// run computes dw's sums in float32 into out (size elements) with the kind's kernel.
static int run(const tfrun_conv_geometry* g, int kind, const void* x, const void* dy, float* out, int threads) {
  args w = {g, kind, x, dy, (g->oh - 1) * g->stride_h + g->kh, (g->ow - 1) * g->stride_w + g->kw,
            kind == BF16 ? (g->n + 1) / 2 : g->n, 0, g->kh * g->kw * g->ci * g->co, NULL};
  const int64_t least = kind == BF16 ? MIN_CHUNK_ITEMS / 2 : MIN_CHUNK_ITEMS;
  w.chunk = (w.items + MAX_CHUNKS - 1) / MAX_CHUNKS;
  if (w.chunk < least) w.chunk = least;
  const int64_t chunks = (w.items + w.chunk - 1) / w.chunk;
  if ((w.sums = malloc((size_t)(chunks * w.size) * sizeof *w.sums)) == NULL) return -1;
  const int64_t multiply_adds = g->n * g->oh * g->ow * g->kh * g->kw * g->ci * g->co;
  int r = tfrun_conv_run_threads(work, &w, tfrun_conv_threads(threads, chunks, multiply_adds));
  for (int64_t e = 0; r == 0 && e < w.size; e++) {
    float s = w.sums[e];
    for (int64_t k = 1; k < chunks; k++) s += w.sums[k * w.size + e];
    out[e] = s;
  }
  free(w.sums);
  return r;
}

int tfrun_conv_filter_grad_f32_few(const tfrun_conv_geometry* g, const float* x, const float* dy, float* dw,
                                   int avx512, int threads) {
  return run(g, avx512 ? F32_AVX512 : F32_AVX2, x, dy, dw, threads);
}

int tfrun_conv_filter_grad_bf16_few(const tfrun_conv_geometry* g, const uint16_t* x, const uint16_t* dy,
                                    uint16_t* dw, int threads) {
  const int64_t size = g->kh * g->kw * g->ci * g->co;
  float* sums = malloc((size_t)size * sizeof *sums);
  if (sums == NULL) return -1;
  int r = run(g, BF16, x, dy, sums, threads);
  for (int64_t e = 0; r == 0 && e < size; e++) dw[e] = tfrun_bf16_round(sums[e]);
  free(sums);
  return r;
}
