// The input gradient of a 2-D convolution with few input channels (a transposed
// convolution to an image's 1 or 3 channels), in float32 with AVX-512F and in bfloat16
// with AVX512_BF16 (see input_grad.h).
//
//   dx[b, y, x, c] = Σ over the taps (i, j) with y = r·sh + i − pt, x = q·sw + j − pl
//                    (r, q inside dy) of Σ_d w[i, j, c, d]·dy[b, r, q, d].
//
// oneDNN vectorizes a convolution over its output channels, here c: one to three of them
// fill a vector poorly, and TensorFlow's kernels ran these at 40–90 GFLOP/s. This kernel
// computes, for one row (b, r) of dy at a time, every tap's product first, a matrix
// product over d:
//
//   P[q, n] = Σ_d dy[b, r, q, d]·w[n, d],  n = (i·kw + j)·ci + c,
//
// in tiles of 6 pixels by 64 taps (broadcasting dy, the filter packed once per call: the
// filter gradient's tiles), then adds each P[q, n] to the dx element its tap reaches
// (none for a tap in the padding). A thread owns whole images, so every element's sum
// runs in one fixed order (dy's rows, then q) whatever the number of threads. bfloat16
// accumulates an image in float32 and rounds it once.

#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

#include "input_grad.h"

enum {
  ROWS = 6,                   // pixels of a dy row per tile
  VECTORS = 4,                // 16-lane vectors of taps per tile
  COLUMNS = 16 * VECTORS,     // taps per column tile
};

int tfrun_conv_input_grad_supported(void) {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f");
#else
  return 0;
#endif
}

int tfrun_conv_input_grad_bf16_supported(void) { return tfrun_conv_filter_grad_bf16_supported(); }

// float32 needs only AVX-512F (tfrun_conv_input_grad_supported), bfloat16 BW and BF16 too:
// each part is compiled for its own instructions.
#pragma GCC push_options
#pragma GCC target("avx512f")

// tile_f32 writes p[i·ldp + 16v] = Σ_d a[i·lda + d]·b[d·COLUMNS + 16v] for rows i < rows,
// vectors v < vectors, d < depth.
static inline __attribute__((always_inline)) void tile_f32(const int rows, const int vectors, int64_t depth,
                                                           const float* a, int64_t lda, const float* b, float* p,
                                                           int64_t ldp) {
  __m512 acc[ROWS][VECTORS];
  for (int i = 0; i < rows; i++) {
    for (int v = 0; v < vectors; v++) acc[i][v] = _mm512_setzero_ps();
  }
  for (int64_t d = 0; d < depth; d++) {
    __m512 bv[VECTORS];
    for (int v = 0; v < vectors; v++) bv[v] = _mm512_load_ps(b + d * COLUMNS + 16 * v);
    for (int i = 0; i < rows; i++) {
      __m512 s = _mm512_set1_ps(a[i * lda + d]);
      for (int v = 0; v < vectors; v++) acc[i][v] = _mm512_fmadd_ps(s, bv[v], acc[i][v]);
    }
  }
  for (int i = 0; i < rows; i++) {
    for (int v = 0; v < vectors; v++) _mm512_storeu_ps(p + i * ldp + 16 * v, acc[i][v]);
  }
}

typedef void (*tile_fn)(int64_t depth, const void* a, int64_t lda, const void* b, float* p, int64_t ldp);

#define TILE_F32(R, V)                                                                                           \
  static void tile_f32_##R##_##V(int64_t depth, const void* a, int64_t lda, const void* b, float* p, int64_t ldp) { \
    tile_f32(R, V, depth, a, lda, b, p, ldp);                                                                    \
  }
#define TILE_F32S(R) TILE_F32(R, 1) TILE_F32(R, 2) TILE_F32(R, 3) TILE_F32(R, 4)
TILE_F32S(1)
TILE_F32S(2)
TILE_F32S(3)
TILE_F32S(4)
TILE_F32S(5)
TILE_F32S(6)

// add_products adds one dy row's products of one filter row i to the dx row they reach:
// the products of pixel q are p[q·ldp + e], e = j·ci + c < kw·ci (p starting at the filter
// row's first tap), and reach the row's element (q·sw − pl)·ci + e when it lies in the row.
// It runs over the row in vectors of 16 elements, each summing the pixels that reach it
// (masked loads of their products, shifted into place) before adding to the row once.
static void add_products(const tfrun_conv_geometry* g, const float* p, int64_t ldp, float* line) {
  const int64_t len = g->w * g->ci, span = g->kw * g->ci, step = g->stride_w * g->ci;
  for (int64_t k0 = 0; k0 < len; k0 += 16) {
    // The first pixel whose products reach past k0: (q·sw − pl)·ci + span > k0.
    const int64_t before = k0 - span + g->pad_left * g->ci;
    int64_t q = before < 0 ? 0 : before / step;
    __m512 sum = _mm512_setzero_ps();
    for (; q < g->ow; q++) {
      const int64_t start = (q * g->stride_w - g->pad_left) * g->ci;  // where the pixel's products begin
      if (start >= k0 + 16) break;
      int64_t lo = start > k0 ? start : k0, hi = start + span < k0 + 16 ? start + span : k0 + 16;
      lo = lo > 0 ? lo : 0, hi = hi < len ? hi : len;
      if (lo >= hi) continue;
      const __mmask16 m = (__mmask16)(((1u << (hi - k0)) - 1) & ~((1u << (lo - k0)) - 1));
      sum = _mm512_add_ps(sum, _mm512_maskz_loadu_ps(m, p + q * ldp + (k0 - start)));
    }
    const __mmask16 tail = len - k0 >= 16 ? 0xFFFF : (__mmask16)((1u << (len - k0)) - 1);
    _mm512_mask_storeu_ps(line + k0, tail, _mm512_add_ps(_mm512_maskz_loadu_ps(tail, line + k0), sum));
  }
}

#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512bf16")

// tile_bf16 is tile_f32 over pairs of d: a's rows are bfloat16 pairs (32-bit units, depth
// of them a row), b holds, per pair, COLUMNS interleaved pairs of the filter.
static inline __attribute__((always_inline)) void tile_bf16(const int rows, const int vectors, int64_t depth,
                                                            const uint32_t* a, int64_t lda, const uint32_t* b,
                                                            float* p, int64_t ldp) {
  __m512 acc[ROWS][VECTORS];
  for (int i = 0; i < rows; i++) {
    for (int v = 0; v < vectors; v++) acc[i][v] = _mm512_setzero_ps();
  }
  for (int64_t d = 0; d < depth; d++) {
    __m512i bv[VECTORS];
    for (int v = 0; v < vectors; v++) bv[v] = _mm512_load_si512(b + d * COLUMNS + 16 * v);
    for (int i = 0; i < rows; i++) {
      __m512i s = _mm512_set1_epi32((int)a[i * lda + d]);
      for (int v = 0; v < vectors; v++) acc[i][v] = _mm512_dpbf16_ps(acc[i][v], (__m512bh)s, (__m512bh)bv[v]);
    }
  }
  for (int i = 0; i < rows; i++) {
    for (int v = 0; v < vectors; v++) _mm512_storeu_ps(p + i * ldp + 16 * v, acc[i][v]);
  }
}

#define TILE_BF16(R, V)                                                                                 \
  static void tile_bf16_##R##_##V(int64_t depth, const void* a, int64_t lda, const void* b, float* p, \
                                  int64_t ldp) {                                                      \
    tile_bf16(R, V, depth, a, lda, b, p, ldp);                                                        \
  }
#define TILE_BF16S(R) TILE_BF16(R, 1) TILE_BF16(R, 2) TILE_BF16(R, 3) TILE_BF16(R, 4)
TILE_BF16S(1)
TILE_BF16S(2)
TILE_BF16S(3)
TILE_BF16S(4)
TILE_BF16S(5)
TILE_BF16S(6)

#pragma GCC pop_options

#define TILE_ROW(T, R) {T##_##R##_1, T##_##R##_2, T##_##R##_3, T##_##R##_4}
static const tile_fn tiles_f32[ROWS][VECTORS] = {
    TILE_ROW(tile_f32, 1), TILE_ROW(tile_f32, 2), TILE_ROW(tile_f32, 3),
    TILE_ROW(tile_f32, 4), TILE_ROW(tile_f32, 5), TILE_ROW(tile_f32, 6),
};
static const tile_fn tiles_bf16[ROWS][VECTORS] = {
    TILE_ROW(tile_bf16, 1), TILE_ROW(tile_bf16, 2), TILE_ROW(tile_bf16, 3),
    TILE_ROW(tile_bf16, 4), TILE_ROW(tile_bf16, 5), TILE_ROW(tile_bf16, 6),
};


typedef struct {
  const tfrun_conv_geometry* g;
  int bf16;
  int64_t taps, column_tiles;  // n's range (kh·kw·ci) and its tiles of COLUMNS
  const void* dy;
  const void* b;  // the packed filter: per column tile, depth rows of COLUMNS units
  void* dx;
} args;

static int work(void* arg, int t, int threads) {
  const args* a = arg;
  const tfrun_conv_geometry* g = a->g;
  const int64_t begin = g->n * t / threads, end = g->n * (t + 1) / threads;
  const int64_t depth = a->bf16 ? g->co / 2 : g->co;  // units of a dy pixel (pairs in bfloat16)
  const int64_t ldp = a->column_tiles * COLUMNS, image = g->h * g->w * g->ci;
  float* p = aligned_alloc(64, (size_t)(g->ow * ldp) * sizeof *p);
  float* sums = a->bf16 ? malloc((size_t)image * sizeof *sums) : NULL;
  if (p == NULL || (a->bf16 && sums == NULL)) {
    free(p), free(sums);
    return -1;
  }
  const tile_fn(*tiles)[VECTORS] = a->bf16 ? tiles_bf16 : tiles_f32;
  const size_t unit = a->bf16 ? sizeof(uint32_t) : sizeof(float);
  for (int64_t b = begin; b < end; b++) {
    float* dx = a->bf16 ? sums : (float*)a->dx + b * image;
    memset(dx, 0, (size_t)image * sizeof *dx);
    for (int64_t r = 0; r < g->oh; r++) {
      const char* row = (const char*)a->dy + (size_t)((b * g->oh + r) * g->ow * depth) * unit;
      for (int64_t q0 = 0; q0 < g->ow; q0 += ROWS) {
        const int64_t rows = g->ow - q0 < ROWS ? g->ow - q0 : ROWS;
        for (int64_t ct = 0; ct < a->column_tiles; ct++) {
          const int64_t left = (a->taps - ct * COLUMNS + 15) / 16, vectors = left < VECTORS ? left : VECTORS;
          tiles[rows - 1][vectors - 1](depth, row + (size_t)(q0 * depth) * unit, depth,
                                       (const char*)a->b + (size_t)(ct * depth * COLUMNS) * unit,
                                       p + q0 * ldp + ct * COLUMNS, ldp);
        }
      }
      for (int64_t i = 0; i < g->kh; i++) {
        const int64_t y = r * g->stride_h + i - g->pad_top;
        if (y >= 0 && y < g->h) add_products(g, p + i * g->kw * g->ci, ldp, dx + y * g->w * g->ci);
      }
    }
    if (a->bf16) {
      uint16_t* out = (uint16_t*)a->dx + b * image;
      for (int64_t k = 0; k < image; k++) out[k] = tfrun_bf16_round(sums[k]);
    }
  }
  free(p), free(sums);
  return 0;
}

// run packs the filter [kh, kw, ci, co] (HWIO) as the tiles' b: per column tile of taps n,
// per unit of d, COLUMNS values (zeros past the last tap), and runs the images on threads.
static int run(const tfrun_conv_geometry* g, const void* w, const void* dy, void* dx, int bf16, int threads) {
  const size_t size = bf16 ? sizeof(uint16_t) : sizeof(float);
  const int64_t image = g->h * g->w * g->ci;
  if (g->n == 0 || image == 0) return 0;
  if (g->oh == 0 || g->ow == 0 || g->co == 0) {
    memset(dx, 0, (size_t)(g->n * image) * size);
    return 0;
  }
  args a = {g, bf16, g->kh * g->kw * g->ci, 0, dy, NULL, dx};
  a.column_tiles = (a.taps + COLUMNS - 1) / COLUMNS;
  const int64_t depth = bf16 ? g->co / 2 : g->co;
  uint32_t* b = aligned_alloc(64, (size_t)(a.column_tiles * depth * COLUMNS) * sizeof *b);  // 32-bit units
  if (b == NULL) return -1;
  memset(b, 0, (size_t)(a.column_tiles * depth * COLUMNS) * sizeof *b);
  for (int64_t n = 0; n < a.taps; n++) {
    const int64_t ct = n / COLUMNS, lane = n % COLUMNS;
    for (int64_t d = 0; d < depth; d++) {
      uint32_t* to = b + (ct * depth + d) * COLUMNS + lane;
      if (bf16) {
        const uint16_t* from = (const uint16_t*)w + n * g->co + 2 * d;
        *to = (uint32_t)from[0] | (uint32_t)from[1] << 16;
      } else {
        memcpy(to, (const float*)w + n * g->co + d, sizeof(float));
      }
    }
  }
  a.b = b;
  int64_t multiply_adds = g->n * g->oh * g->ow * a.taps * g->co;
  int r = tfrun_conv_run_threads(work, &a, tfrun_conv_threads(threads, g->n, multiply_adds));
  free(b);
  return r;
}

int tfrun_conv_input_grad_f32(const tfrun_conv_geometry* g, const float* w, const float* dy, float* dx, int threads) {
  return run(g, w, dy, dx, 0, threads);
}

int tfrun_conv_input_grad_bf16(const tfrun_conv_geometry* g, const uint16_t* w, const uint16_t* dy, uint16_t* dx,
                               int threads) {
  return run(g, w, dy, dx, 1, threads);
}
