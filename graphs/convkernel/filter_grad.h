// Declarations shared by the C files of tfrun's convolution filter gradient kernels.

#ifndef TFRUN_CONVKERNEL_FILTER_GRAD_H_
#define TFRUN_CONVKERNEL_FILTER_GRAD_H_

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kernel_api.h"

// The op name.
#define TFRUN_CONV2D_BACKPROP_FILTER "TfrunConv2DBackpropFilter"

// tfrun_conv_geometry is one filter gradient's shapes: the forward conv's input x
// [n, h, w, ci], its output gradient dy [n, oh, ow, co], the filter [kh, kw, ci, co], the
// strides and the padding before the input along each axis (SAME's or VALID's, or any
// other: positions outside x read as zero).
typedef struct {
  int64_t n, h, w, ci;
  int64_t oh, ow, co;
  int64_t kh, kw;
  int64_t stride_h, stride_w;
  int64_t pad_top, pad_left;
} tfrun_conv_geometry;

// tfrun_conv_filter_grad_supported reports whether this CPU runs the float32 kernel
// (AVX-512F, or AVX2 and FMA); tfrun_conv_filter_grad_bf16_supported, the bfloat16 one
// (AVX-512F, BW and BF16).
int tfrun_conv_filter_grad_supported(void);
int tfrun_conv_filter_grad_bf16_supported(void);

// tfrun_conv_force_avx2, when set, makes the float32 kernel run its AVX2 tiles on a CPU
// with AVX-512F too (tests: both give the same result bit for bit).
extern int tfrun_conv_force_avx2;

// tfrun_conv_filter_grad_f32 writes dw [kh, kw, ci, co], the gradient of Conv2D(x, w)
// with respect to w given dy: dw[i, j, c, d] = Σ over b, p, q of
// x[b, p·stride_h + i − pad_top, q·stride_w + j − pad_left, c]·dy[b, p, q, d]. co must be
// a multiple of 16 and the CPU must run it (tfrun_conv_filter_grad_supported).
// Each element is one chain of fused multiply-adds from zero in the order of (b, p, q)
// (with at most TFRUN_CONV_FEW_CHANNELS input channels, one chain per chunk of images, the
// chunks fixed by the geometry and their sums added in order), so the result does not
// depend on the number of threads (at most threads run; 0: this process's CPUs). It returns 0, or -1 when it could not allocate its buffers.
int tfrun_conv_filter_grad_f32(const tfrun_conv_geometry* g, const float* x, const float* dy, float* dw,
                               int threads);

// tfrun_conv_filter_grad_bf16 is the same for bfloat16 x, dy and dw (raw 16-bit values):
// products of pairs of positions added in float32 (AVX512_BF16's VDPBF16PS, which reads
// subnormal inputs as zero), the sum rounded to bfloat16 (to nearest even) once at the
// end. It needs tfrun_conv_filter_grad_bf16_supported.
int tfrun_conv_filter_grad_bf16(const tfrun_conv_geometry* g, const uint16_t* x, const uint16_t* dy, uint16_t* dw,
                                int threads);

// tfrun_conv_filter_grad_f32_few is tfrun_conv_filter_grad_f32 for at most
// TFRUN_CONV_FEW_CHANNELS input channels and a batch and dy not empty
// (filter_grad_few.c), in AVX-512F's tiles (avx512) or AVX2's: x packed whole an image
// at a time, the padding's taps computed on zeros, the sums taken in chunks of images fixed
// by the geometry and added in order. tfrun_conv_filter_grad_f32 calls it for those
// problems.
int tfrun_conv_filter_grad_f32_few(const tfrun_conv_geometry* g, const float* x, const float* dy, float* dw,
                                   int avx512, int threads);

// tfrun_conv_filter_grad_bf16_few is tfrun_conv_filter_grad_bf16 for at most
// TFRUN_CONV_FEW_CHANNELS input channels and a batch and dy not empty
// (filter_grad_few.c): x packed whole a pair of images at a time, the padding's taps
// computed on zeros, the sums taken in chunks of images fixed by the geometry and added in
// order. tfrun_conv_filter_grad_bf16 calls it for those problems.
int tfrun_conv_filter_grad_bf16_few(const tfrun_conv_geometry* g, const uint16_t* x, const uint16_t* dy,
                                    uint16_t* dw, int threads);

// tfrun_conv_pack_pairs writes the pairs (u[r], v[r]) of bfloat16 values for r < n as
// 32-bit units to out; u or v NULL: zeros. It needs tfrun_conv_filter_grad_bf16_supported.
void tfrun_conv_pack_pairs(const uint16_t* u, const uint16_t* v, int64_t n, uint32_t* out);

// The registration of the ops and their kernels; a failure is in status.
void tfrun_conv_register(TF_Status* status);

// tfrun_bf16_round is f's bfloat16 bits, rounded to nearest even; a NaN becomes the quiet
// NaN of its sign, as Eigen's conversion makes it.
static inline uint16_t tfrun_bf16_round(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  if ((u & 0x7FFFFFFFu) > 0x7F800000u) return (uint16_t)(((u >> 16) & 0x8000u) | 0x7FC0u);
  return (uint16_t)((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
}

// ---- Shared by the float32 and bfloat16 kernels (plan.c) ----

enum {
  TFRUN_CONV_TILE_ROWS = 6,     // rows of A (input channels, or filter columns and channels) per tile
  TFRUN_CONV_TILE_VECTORS = 4,  // columns per tile, in vectors of 16 output channels
  TFRUN_CONV_TILE_COLUMNS = 16 * TFRUN_CONV_TILE_VECTORS,
  TFRUN_CONV_BLOCK = 128,       // positions per block
  TFRUN_CONV_MAX_THREADS = 64,
  // From this many input channels a group of rows is one filter tap (its channels);
  // below, one filter row (its columns' channels), so that a tile's rows are filled.
  TFRUN_CONV_PER_TAP_MIN_CHANNELS = 12,
  // Up to this many input channels the kernels pack x whole (tfrun_conv_filter_grad_f32_few,
  // tfrun_conv_filter_grad_bf16_few).
  TFRUN_CONV_FEW_CHANNELS = 4,
};

// tfrun_conv_plan is how a gradient splits into groups of rows: a group is one filter tap
// (span 1, run = ci rows) or one filter row (span kw, run = kw·ci rows), whose rows are
// dw's rows (group·run + r); row tiles per group, column tiles, positions.
typedef struct {
  int64_t span, run, groups, row_tiles, column_tiles, positions;
} tfrun_conv_plan;

tfrun_conv_plan tfrun_conv_make_plan(const tfrun_conv_geometry* g);

// tfrun_conv_run_at is the run of x that a group's rows read for image b at (row, col), the
// x position of the run's first filter column: x itself, a copy in edge (room for one run)
// with zeros outside x when the run is partly inside, or NULL when it lies wholly in the
// padding. Elements are size bytes.
// (Inline: it runs for every position of every group.)
static inline const void* tfrun_conv_run_at(const tfrun_conv_geometry* g, const tfrun_conv_plan* p, const void* x,
                                            size_t size, int64_t b, int64_t row, int64_t col, void* edge) {
  if (row < 0 || row >= g->h || col >= g->w || col + p->span <= 0) return NULL;
  const size_t pixel = (size_t)g->ci * size;
  const char* line = (const char*)x + (size_t)((b * g->h + row) * g->w) * pixel;
  if (col >= 0 && col + p->span <= g->w) return line + (size_t)col * pixel;
  // Partly inside: the pixels inside [lo, hi) copied, zeros before and after.
  const int64_t lo = col > 0 ? col : 0, hi = col + p->span < g->w ? col + p->span : g->w;
  char* e = edge;
  memset(e, 0, (size_t)(lo - col) * pixel);
  memcpy(e + (size_t)(lo - col) * pixel, line + (size_t)lo * pixel, (size_t)(hi - lo) * pixel);
  memset(e + (size_t)(hi - col) * pixel, 0, (size_t)(col + p->span - hi) * pixel);
  return e;
}

// tfrun_conv_runs lists, for the positions [m0, m0 + n) and one group, the runs of x its
// rows read, leaving out the positions whose run lies wholly in the padding: run[kept]
// points to x itself, or (a run partly inside x, span kw only) to a copy in edges (room
// for n runs) with zeros outside; position[kept] is the position's index in the block.
// Elements are size bytes. It returns how many it kept.
int64_t tfrun_conv_runs(const tfrun_conv_geometry* g, const tfrun_conv_plan* p, const void* x, size_t size,
                        int64_t m0, int64_t n, int64_t group, const void** run, int32_t* position, void* edges);

// tfrun_conv_run_threads runs work(arg_t, t, threads) for t in [0, threads) on threads
// (the caller's being the first), and returns 0 when every call returned 0, else -1.
typedef int (*tfrun_conv_work)(void* arg, int t, int threads);
int tfrun_conv_run_threads(tfrun_conv_work work, void* arg, int threads);

// tfrun_conv_threads is how many threads to run for a gradient of this many jobs and
// multiply-adds, given the caller's limit (0: this process's CPUs).
int tfrun_conv_threads(int limit, int64_t jobs, int64_t multiply_adds);

#endif  // TFRUN_CONVKERNEL_FILTER_GRAD_H_
