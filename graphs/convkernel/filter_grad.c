// The float32 filter gradient of a 2-D convolution as matrix products with AVX-512F, or
// AVX2 and FMA (see filter_grad.h).
//
// For one filter tap (i, j) the gradient is a matrix product: rows c, the input channel,
// columns d, the output channel, contracted over the positions m = (b, p, q) of dy:
//
//   dw[i, j, c, d] = Σ_m x[b, p·sh + i − pt, q·sw + j − pl, c]·dy[m, d].
//
// For one m the row is ci consecutive floats of x, so no im2col copy is made: the kernel
// keeps, per block of positions and tap, a list of pointers into x for the positions whose
// input pixel is inside x, and skips the others (the padding's zeros add nothing; oneDNN
// skips them too, which matters at 7×7 with a 5×5 filter, where a third of the taps fall
// in the padding). With few input channels a tap's rows would fill a tile poorly, and a
// whole filter row is one group instead (plan.c).
//
// A tile of 6 rows by 64 columns (24 vector accumulators) runs the contraction over a block
// of 128 positions, whose dy rows, packed side by side (32 KiB), stay in the level-1 cache
// while every row tile of every group passes over them.

#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

#include "filter_grad.h"

enum { ROWS = TFRUN_CONV_TILE_ROWS, VECTORS = TFRUN_CONV_TILE_VECTORS, COLUMNS = TFRUN_CONV_TILE_COLUMNS };

// The instruction sets the float32 kernel runs with: AVX-512F's 16-float tiles, else
// AVX2 and FMA's 8-float ones (the same fused multiply-adds in the same order: the same
// result bit for bit).
enum { ISA_NONE, ISA_AVX2, ISA_AVX512 };

static int isa(void) {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return ISA_AVX512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return ISA_AVX2;
#endif
  return ISA_NONE;
}

int tfrun_conv_force_avx2 = 0;

int tfrun_conv_filter_grad_supported(void) { return isa() != ISA_NONE; }

#pragma GCC push_options
#pragma GCC target("avx512f")

// tile accumulates rows × (16·vectors) outputs c (row stride ldc) over count positions:
// c[i, v] += a[k][r0 + i]·b[at[k]·COLUMNS + v], starting from zero when first.
static inline __attribute__((always_inline)) void tile(const int rows, const int vectors, int64_t count,
                                                       const void* const* a, const int32_t* at, int64_t r0,
                                                       const float* b, float* c, int64_t ldc, int first) {
  __m512 acc[ROWS][VECTORS];
  for (int i = 0; i < rows; i++) {
    for (int v = 0; v < vectors; v++) acc[i][v] = first ? _mm512_setzero_ps() : _mm512_loadu_ps(c + i * ldc + 16 * v);
  }
  for (int64_t k = 0; k < count; k++) {
    const float* ap = (const float*)a[k] + r0;
    const float* bp = b + (int64_t)at[k] * COLUMNS;
    __m512 bv[VECTORS];
    for (int v = 0; v < vectors; v++) bv[v] = _mm512_loadu_ps(bp + 16 * v);
    for (int i = 0; i < rows; i++) {
      __m512 s = _mm512_set1_ps(ap[i]);
      for (int v = 0; v < vectors; v++) acc[i][v] = _mm512_fmadd_ps(s, bv[v], acc[i][v]);
    }
  }
  for (int i = 0; i < rows; i++) {
    for (int v = 0; v < vectors; v++) _mm512_storeu_ps(c + i * ldc + 16 * v, acc[i][v]);
  }
}

typedef void (*tile_fn)(int64_t, const void* const*, const int32_t*, int64_t, const float*, float*, int64_t, int);

#define TILE_FN(R, V)                                                                                  \
  static void tile_##R##_##V(int64_t count, const void* const* a, const int32_t* at, int64_t r0,     \
                             const float* b, float* c, int64_t ldc, int first) {                      \
    tile(R, V, count, a, at, r0, b, c, ldc, first);                                                  \
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

#pragma GCC push_options
#pragma GCC target("avx2,fma")

// tile256 is tile for 8-float vectors: rows × 16 outputs (two vectors), 12 accumulators of
// AVX2's 16 registers.
static inline __attribute__((always_inline)) void tile256(const int rows, int64_t count, const void* const* a,
                                                          const int32_t* at, int64_t r0, const float* b, float* c,
                                                          int64_t ldc, int first) {
  __m256 acc[ROWS][2];
  for (int i = 0; i < rows; i++) {
    for (int v = 0; v < 2; v++) acc[i][v] = first ? _mm256_setzero_ps() : _mm256_loadu_ps(c + i * ldc + 8 * v);
  }
  for (int64_t k = 0; k < count; k++) {
    const float* ap = (const float*)a[k] + r0;
    const float* bp = b + (int64_t)at[k] * COLUMNS;
    __m256 b0 = _mm256_loadu_ps(bp), b1 = _mm256_loadu_ps(bp + 8);
    for (int i = 0; i < rows; i++) {
      __m256 s = _mm256_set1_ps(ap[i]);
      acc[i][0] = _mm256_fmadd_ps(s, b0, acc[i][0]);
      acc[i][1] = _mm256_fmadd_ps(s, b1, acc[i][1]);
    }
  }
  for (int i = 0; i < rows; i++) {
    for (int v = 0; v < 2; v++) _mm256_storeu_ps(c + i * ldc + 8 * v, acc[i][v]);
  }
}

typedef void (*tile256_fn)(int64_t, const void* const*, const int32_t*, int64_t, const float*, float*, int64_t, int);

#define TILE256_FN(R)                                                                                    \
  static void tile256_##R(int64_t count, const void* const* a, const int32_t* at, int64_t r0,           \
                          const float* b, float* c, int64_t ldc, int first) {                           \
    tile256(R, count, a, at, r0, b, c, ldc, first);                                                     \
  }
TILE256_FN(1)
TILE256_FN(2)
TILE256_FN(3)
TILE256_FN(4)
TILE256_FN(5)
TILE256_FN(6)

static const tile256_fn tiles256[ROWS] = {tile256_1, tile256_2, tile256_3, tile256_4, tile256_5, tile256_6};

#pragma GCC pop_options

// run_tile accumulates one job's tile: rows × (16·vectors) outputs, in one AVX-512 tile or
// in AVX2 tiles of 16 columns each.
static void run_tile(int avx512, int64_t rows, int64_t vectors, int64_t count, const void* const* a,
                     const int32_t* at, int64_t r0, const float* b, float* c, int64_t ldc, int first) {
  if (avx512) {
    tiles[rows - 1][vectors - 1](count, a, at, r0, b, c, ldc, first);
    return;
  }
  for (int64_t v = 0; v < vectors; v++) tiles256[rows - 1](count, a, at, r0, b + 16 * v, c + 16 * v, ldc, first);
}

// A job is (column tile, group, row tile), numbered in that order: a thread's jobs of one
// column tile share the packed dy panel of each block.
typedef struct {
  const tfrun_conv_geometry* g;
  tfrun_conv_plan p;
  const float *x, *dy;
  float* dw;
  int64_t jobs;
  int avx512;  // AVX-512F's tiles, else AVX2's
} args;

static int work(void* arg, int t, int threads) {
  const args* w = arg;
  const tfrun_conv_geometry* g = w->g;
  const tfrun_conv_plan* p = &w->p;
  const int64_t begin = w->jobs * t / threads, end = w->jobs * (t + 1) / threads;
  const int64_t per_column = p->groups * p->row_tiles, block = TFRUN_CONV_BLOCK;
  const void** runs = malloc((size_t)(p->groups * block) * sizeof *runs);
  int32_t* positions = malloc((size_t)(p->groups * block) * sizeof *positions);
  int64_t* counts = calloc((size_t)p->groups, sizeof *counts);
  char* need = calloc((size_t)p->groups, 1);
  float* edges = p->span > 1 ? malloc((size_t)(p->groups * block * p->run) * sizeof *edges) : NULL;
  float* panel = aligned_alloc(64, block * COLUMNS * sizeof *panel);
  int ok = runs && positions && counts && need && panel && (p->span == 1 || edges);
  for (int64_t job = begin; ok && job < end && job < begin + per_column; job++) need[(job / p->row_tiles) % p->groups] = 1;
  for (int64_t m0 = 0; ok && m0 < p->positions; m0 += block) {
    int64_t n = p->positions - m0 < block ? p->positions - m0 : block;
    for (int64_t group = 0; group < p->groups; group++) {
      if (need[group]) {
        counts[group] = tfrun_conv_runs(g, p, w->x, sizeof(float), m0, n, group, runs + group * block,
                                        positions + group * block, edges ? edges + group * block * p->run : NULL);
      }
    }
    int64_t packed = -1;          // the column tile whose dy rows rows_of_dy holds
    const float* rows_of_dy = NULL;  // panel, or dy itself
    for (int64_t job = begin; job < end; job++) {
      int64_t column_tile = job / per_column, group = (job / p->row_tiles) % p->groups;
      int64_t r0 = (job % p->row_tiles) * ROWS, c0 = column_tile * COLUMNS;
      int64_t vectors = (g->co - c0) / 16 < VECTORS ? (g->co - c0) / 16 : VECTORS;
      if (column_tile != packed) {
        // dy's rows for this block and column tile, side by side (64 floats apart whatever
        // co is): a walk over dy's rows, co floats apart, maps to few cache sets and evicts
        // itself. With co = 64 they are side by side in dy already.
        if (g->co == COLUMNS) {
          rows_of_dy = w->dy + m0 * g->co;
        } else {
          for (int64_t k = 0; k < n; k++) {
            memcpy(panel + k * COLUMNS, w->dy + (m0 + k) * g->co + c0, (size_t)vectors * 16 * sizeof *panel);
          }
          rows_of_dy = panel;
        }
        packed = column_tile;
      }
      int64_t rows = p->run - r0 < ROWS ? p->run - r0 : ROWS;
      run_tile(w->avx512, rows, vectors, counts[group], runs + group * block, positions + group * block, r0, rows_of_dy,
               w->dw + (group * p->run + r0) * g->co + c0, g->co, m0 == 0);
    }
  }
  free(runs), free(positions), free(counts), free(need), free(edges), free(panel);
  return ok ? 0 : -1;
}

int tfrun_conv_filter_grad_f32(const tfrun_conv_geometry* g, const float* x, const float* dy, float* dw,
                               int threads) {
  const int avx512 = isa() == ISA_AVX512 && !tfrun_conv_force_avx2;
  if (g->ci <= TFRUN_CONV_FEW_CHANNELS && g->n > 0 && g->oh > 0 && g->ow > 0)
    return tfrun_conv_filter_grad_f32_few(g, x, dy, dw, avx512, threads);
  args w = {g, tfrun_conv_make_plan(g), x, dy, dw, 0, avx512};
  w.jobs = w.p.column_tiles * w.p.groups * w.p.row_tiles;
  if (w.p.positions == 0 || w.jobs == 0) {
    memset(dw, 0, (size_t)(g->kh * g->kw * g->ci * g->co) * sizeof *dw);
    return 0;
  }
  int64_t multiply_adds = w.p.positions * g->kh * g->kw * g->ci * g->co;
  return tfrun_conv_run_threads(work, &w, tfrun_conv_threads(threads, w.jobs, multiply_adds));
}
