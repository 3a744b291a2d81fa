// What the float32 and bfloat16 filter gradient kernels share: how the gradient splits
// into groups and tiles, the lists of x's runs per block of positions, and the threads.

#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <string.h>

#include "filter_grad.h"

tfrun_conv_plan tfrun_conv_make_plan(const tfrun_conv_geometry* g) {
  tfrun_conv_plan p;
  p.span = g->ci >= TFRUN_CONV_PER_TAP_MIN_CHANNELS ? 1 : g->kw;
  p.run = p.span * g->ci;
  p.groups = g->kh * (g->kw / p.span);
  p.row_tiles = (p.run + TFRUN_CONV_TILE_ROWS - 1) / TFRUN_CONV_TILE_ROWS;
  p.column_tiles = (g->co + TFRUN_CONV_TILE_COLUMNS - 1) / TFRUN_CONV_TILE_COLUMNS;
  p.positions = g->n * g->oh * g->ow;
  return p;
}

int64_t tfrun_conv_runs(const tfrun_conv_geometry* g, const tfrun_conv_plan* p, const void* x, size_t size,
                        int64_t m0, int64_t n, int64_t group, const void** run, int32_t* position, void* edges) {
  const int64_t per_row = g->kw / p->span, i = group / per_row, j0 = (group % per_row) * p->span;
  int64_t kept = 0;
  // Position m0 + k is (b, r, q) of dy; stepped, not divided, from one position to the next.
  int64_t q = m0 % g->ow, r = (m0 / g->ow) % g->oh, b = m0 / (g->ow * g->oh);
  for (int64_t k = 0; k < n; k++, q++) {
    if (q == g->ow) q = 0, r++;
    if (r == g->oh) r = 0, b++;
    void* edge = edges ? (char*)edges + (size_t)(kept * p->run) * size : NULL;
    const void* at = tfrun_conv_run_at(g, p, x, size, b, r * g->stride_h + i - g->pad_top,
                                       q * g->stride_w - g->pad_left + j0, edge);
    if (at == NULL) continue;
    run[kept] = at;
    position[kept++] = (int32_t)k;
  }
  return kept;
}

// cpus is how many CPUs this process may run on.
static int cpus(void) {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
  int n = CPU_COUNT(&set);
  return n < 1 ? 1 : n;
}

int tfrun_conv_threads(int limit, int64_t jobs, int64_t multiply_adds) {
  int threads = limit > 0 ? limit : cpus();
  if (threads > TFRUN_CONV_MAX_THREADS) threads = TFRUN_CONV_MAX_THREADS;
  if (threads > jobs) threads = (int)(jobs > 0 ? jobs : 1);
  // A small gradient is not worth a thread's start (about 10 µs against 2^21 multiply-adds).
  if (multiply_adds < ((int64_t)1 << 21)) threads = 1;
  return threads;
}

typedef struct {
  tfrun_conv_work work;
  void* arg;
  int t, threads, result;
} thread_call;

static void* call(void* p) {
  thread_call* c = p;
  c->result = c->work(c->arg, c->t, c->threads);
  return NULL;
}

int tfrun_conv_run_threads(tfrun_conv_work work, void* arg, int threads) {
  thread_call calls[TFRUN_CONV_MAX_THREADS];
  pthread_t id[TFRUN_CONV_MAX_THREADS];
  int started[TFRUN_CONV_MAX_THREADS] = {0};
  for (int t = 0; t < threads; t++) calls[t] = (thread_call){work, arg, t, threads, 0};
  for (int t = 1; t < threads; t++) started[t] = pthread_create(&id[t], NULL, call, &calls[t]) == 0;
  call(&calls[0]);
  int failed = calls[0].result != 0;
  for (int t = 1; t < threads; t++) {
    if (started[t]) {
      pthread_join(id[t], NULL);
    } else {
      call(&calls[t]);  // no thread: this one does its share
    }
    failed = failed || calls[t].result != 0;
  }
  return failed ? -1 : 0;
}
