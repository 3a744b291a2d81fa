// The float32 filter gradient of a 2-D convolution as matrix products with AVX-512F (see
// filter_grad.h).
//
// For one filter tap (i, j) the gradient is a matrix product: rows c, the input channel,
// columns d, the output channel, contracted over the positions m = (b, p, q) of dy:
//
//   dw[i, j, c, d] = Σ_m x[b, p·sh + i − pt, q·sw + j − pl, c]·dy[m, d].
//
// For one m the row is ci consecutive floats of x, so no im2col copy is made: the kernel
// keeps, per block of positions and tap, a list of pointers into x for the positions whose
// input pixel is inside x, and skips the others (the padding's zeros add nothing; TensorFlow's
// kernels skip them too, which matters at 7×7 with a 5×5 filter, where a third of the taps
// fall in the padding). With few input channels (below perTapMinChannels) a tap's rows would
// fill a tile poorly, and a whole filter row is one group instead: its rows (j, c) are a run
// of kw·ci consecutive floats, copied with zeros where the run crosses x's left or right edge.
//
// A tile of 6 rows by 64 columns (24 vector accumulators) runs the contraction over a block
// of 128 positions, whose dy rows, packed side by side (32 KiB), stay in the level-1 cache
// while every row tile passes over them.

#define _GNU_SOURCE
#include <immintrin.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "filter_grad.h"

enum {
  TILE_ROWS = 6,      // rows of A (input channels, or filter columns and channels) per tile: broadcasts
  TILE_VECTORS = 4,   // columns per tile, in vectors of 16 floats
  BLOCK_POSITIONS = 128,
  MAX_THREADS = 64,
  PER_TAP_MIN_CHANNELS = 12,
};

int tfrun_conv_filter_grad_supported(void) {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f");
#else
  return 0;
#endif
}

#pragma GCC push_options
#pragma GCC target("avx512f")

// tile accumulates rows × (16·vectors) outputs c (row stride ldc) over count positions:
// c[i, v] += a[k][r0 + i]·b[at[k] + v], starting from zero when first.
static inline __attribute__((always_inline)) void tile(const int rows, const int vectors, int64_t count,
                                                       const float* const* a, const int32_t* at, int64_t r0,
                                                       const float* b, float* c, int64_t ldc, int first) {
  __m512 acc[TILE_ROWS][TILE_VECTORS];
  for (int i = 0; i < rows; i++) {
    for (int v = 0; v < vectors; v++) {
      acc[i][v] = first ? _mm512_setzero_ps() : _mm512_loadu_ps(c + i * ldc + 16 * v);
    }
  }
  for (int64_t k = 0; k < count; k++) {
    const float* ap = a[k] + r0;
    const float* bp = b + at[k];
    __m512 bv[TILE_VECTORS];
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

typedef void (*tile_fn)(int64_t, const float* const*, const int32_t*, int64_t, const float*, float*, int64_t, int);

#define TILE_FN(R, V)                                                                                       \
  static void tile_##R##_##V(int64_t count, const float* const* a, const int32_t* at, int64_t r0,          \
                             const float* b, float* c, int64_t ldc, int first) {                           \
    tile(R, V, count, a, at, r0, b, c, ldc, first);                                                       \
  }
#define TILE_FNS(R) TILE_FN(R, 1) TILE_FN(R, 2) TILE_FN(R, 3) TILE_FN(R, 4)
TILE_FNS(1)
TILE_FNS(2)
TILE_FNS(3)
TILE_FNS(4)
TILE_FNS(5)
TILE_FNS(6)

static const tile_fn tiles[TILE_ROWS][TILE_VECTORS] = {
    {tile_1_1, tile_1_2, tile_1_3, tile_1_4}, {tile_2_1, tile_2_2, tile_2_3, tile_2_4},
    {tile_3_1, tile_3_2, tile_3_3, tile_3_4}, {tile_4_1, tile_4_2, tile_4_3, tile_4_4},
    {tile_5_1, tile_5_2, tile_5_3, tile_5_4}, {tile_6_1, tile_6_2, tile_6_3, tile_6_4},
};

#pragma GCC pop_options

// plan is how a gradient splits into groups of rows: a group is one filter tap (span 1,
// rows ci) or one filter row (span kw, rows kw·ci), groups of them, row tiles per group,
// and jobs = column tiles × groups × row tiles, numbered in that order.
typedef struct {
  int64_t span, run, groups, row_tiles, column_tiles, jobs, positions;
} plan;

static plan make_plan(const tfrun_conv_geometry* g) {
  plan p;
  p.span = g->ci >= PER_TAP_MIN_CHANNELS ? 1 : g->kw;
  p.run = p.span * g->ci;
  p.groups = g->kh * (g->kw / p.span);
  p.row_tiles = (p.run + TILE_ROWS - 1) / TILE_ROWS;
  p.column_tiles = (g->co + 16 * TILE_VECTORS - 1) / (16 * TILE_VECTORS);
  p.jobs = p.column_tiles * p.groups * p.row_tiles;
  p.positions = g->n * g->oh * g->ow;
  return p;
}

// work is one thread's share: the jobs [begin, end), each over every position.
typedef struct {
  const tfrun_conv_geometry* g;
  const plan* p;
  const float *x, *dy;
  float* dw;
  int64_t begin, end;
} work;

// block is a thread's lists for one block of positions: for each group, the runs of x its
// rows read (a), where the matching dy row starts in the packed panel (at) and how many
// (count); the groups the thread's jobs need (need).
typedef struct {
  const float** a;
  int32_t* at;
  int64_t* count;
  float* edges;  // the runs that cross x's edges, with zeros (span kw only)
  char* need;
} block;

// point fills the block's lists for the positions [m0, m0 + n): a position whose run lies
// in the padding is left out; one partly inside is copied to edges with zeros.
static void point(const tfrun_conv_geometry* g, const plan* p, const float* x, int64_t m0, int64_t n, block* bl) {
  for (int64_t group = 0; group < p->groups; group++) {
    if (!bl->need[group]) continue;
    const int64_t i = group / (g->kw / p->span), j0 = (group % (g->kw / p->span)) * p->span;
    const float** a = bl->a + group * BLOCK_POSITIONS;
    int32_t* at = bl->at + group * BLOCK_POSITIONS;
    int64_t kept = 0;
    for (int64_t k = 0; k < n; k++) {
      int64_t m = m0 + k, q = m % g->ow, r = (m / g->ow) % g->oh, b = m / (g->ow * g->oh);
      int64_t row = r * g->stride_h + i - g->pad_top, col = q * g->stride_w - g->pad_left + j0;
      if (row < 0 || row >= g->h || col >= g->w || col + p->span <= 0) continue;
      const float* line = x + (b * g->h + row) * g->w * g->ci;
      if (col >= 0 && col + p->span <= g->w) {
        a[kept] = line + col * g->ci;
      } else {
        float* e = bl->edges + (group * BLOCK_POSITIONS + kept) * p->run;
        for (int64_t j = 0; j < p->span; j++) {
          if (col + j >= 0 && col + j < g->w) {
            memcpy(e + j * g->ci, line + (col + j) * g->ci, (size_t)g->ci * sizeof(float));
          } else {
            memset(e + j * g->ci, 0, (size_t)g->ci * sizeof(float));
          }
        }
        a[kept] = e;
      }
      at[kept++] = (int32_t)(k * 16 * TILE_VECTORS);
    }
    bl->count[group] = kept;
  }
}

static void* run_work(void* arg) {
  const work* wk = arg;
  const tfrun_conv_geometry* g = wk->g;
  const plan* p = wk->p;
  const int64_t per_column = p->groups * p->row_tiles;
  block bl = {
      .a = malloc((size_t)(p->groups * BLOCK_POSITIONS) * sizeof *bl.a),
      .at = malloc((size_t)(p->groups * BLOCK_POSITIONS) * sizeof *bl.at),
      .count = calloc((size_t)p->groups, sizeof *bl.count),
      .edges = p->span > 1 ? malloc((size_t)(p->groups * BLOCK_POSITIONS * p->run) * sizeof *bl.edges) : NULL,
      .need = calloc((size_t)p->groups, 1),
  };
  float* panel = aligned_alloc(64, BLOCK_POSITIONS * TILE_VECTORS * 16 * sizeof *panel);
  if (bl.a == NULL || bl.at == NULL || bl.count == NULL || bl.need == NULL || panel == NULL ||
      (p->span > 1 && bl.edges == NULL)) {
    free(bl.a), free(bl.at), free(bl.count), free(bl.edges), free(bl.need), free(panel);
    return (void*)1;
  }
  for (int64_t job = wk->begin; job < wk->end && job < wk->begin + per_column; job++) {
    bl.need[(job / p->row_tiles) % p->groups] = 1;
  }
  for (int64_t m0 = 0; m0 < p->positions; m0 += BLOCK_POSITIONS) {
    int64_t n = p->positions - m0 < BLOCK_POSITIONS ? p->positions - m0 : BLOCK_POSITIONS;
    point(g, p, wk->x, m0, n, &bl);
    int64_t packed = -1;  // the column tile whose dy rows panel holds
    for (int64_t job = wk->begin; job < wk->end; job++) {
      int64_t column_tile = job / per_column, group = (job / p->row_tiles) % p->groups;
      int64_t r0 = (job % p->row_tiles) * TILE_ROWS, c0 = column_tile * 16 * TILE_VECTORS;
      int64_t vectors = (g->co - c0) / 16 < TILE_VECTORS ? (g->co - c0) / 16 : TILE_VECTORS;
      if (column_tile != packed) {
        // dy's rows for this block and column tile, side by side (64 floats apart whatever
        // the width): a walk over dy's rows, co floats apart, would map to few cache sets
        // and evict itself.
        for (int64_t k = 0; k < n; k++) {
          memcpy(panel + k * 16 * TILE_VECTORS, wk->dy + (m0 + k) * g->co + c0, (size_t)vectors * 16 * sizeof *panel);
        }
        packed = column_tile;
      }
      // The group's rows start at dw's row (i·kw + j0)·ci: a group's rows are a tap's
      // channels, or a filter row's columns and channels, in dw's order either way.
      int64_t rows = p->run - r0 < TILE_ROWS ? p->run - r0 : TILE_ROWS;
      tiles[rows - 1][vectors - 1](bl.count[group], bl.a + group * BLOCK_POSITIONS, bl.at + group * BLOCK_POSITIONS, r0,
                                   panel, wk->dw + (group * p->run + r0) * g->co + c0, g->co, m0 == 0);
    }
  }
  free(bl.a), free(bl.at), free(bl.count), free(bl.edges), free(bl.need), free(panel);
  return NULL;
}

// cpus is how many CPUs this process may run on.
static int cpus(void) {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
  int n = CPU_COUNT(&set);
  return n < 1 ? 1 : n;
}

int tfrun_conv_filter_grad_f32(const tfrun_conv_geometry* g, const float* x, const float* dy, float* dw,
                               int threads) {
  const plan p = make_plan(g);
  if (p.positions == 0 || p.jobs == 0) {
    memset(dw, 0, (size_t)(g->kh * g->kw * g->ci * g->co) * sizeof *dw);
    return 0;
  }
  if (threads <= 0) threads = cpus();
  if (threads > MAX_THREADS) threads = MAX_THREADS;
  if (threads > p.jobs) threads = (int)p.jobs;
  // A small gradient is not worth a thread's start (about 10 µs against 2^22 FLOPs).
  if (2 * p.positions * g->kh * g->kw * g->ci * g->co < ((int64_t)1 << 22)) threads = 1;
  work w[MAX_THREADS];
  pthread_t id[MAX_THREADS];
  int started[MAX_THREADS] = {0};
  for (int t = 0; t < threads; t++) {
    w[t] = (work){g, &p, x, dy, dw, p.jobs * t / threads, p.jobs * (t + 1) / threads};
  }
  for (int t = 1; t < threads; t++) started[t] = pthread_create(&id[t], NULL, run_work, &w[t]) == 0;
  void* failed = run_work(&w[0]);
  for (int t = 1; t < threads; t++) {
    void* r = NULL;
    if (started[t]) {
      pthread_join(id[t], &r);
    } else {
      r = run_work(&w[t]);  // no thread: this one does its share
    }
    if (r != NULL) failed = r;
  }
  return failed == NULL ? 0 : -1;
}
