package graphs_test

import (
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
)

// flopCase builds a graph whose placeholder x has an unknown batch dimension and returns
// what one run of it fetches.
type flopCase struct {
	name  string
	x     []int64 // x's static shape, -1 for the batch
	batch int64
	build func(s *graphs.Scope, x tf.Output) graphs.StepRun
	want  map[string]int64 // FLOPs per op type
}

func TestCountFLOPs(t *testing.T) {
	w := func(s *graphs.Scope, name string, shape ...int64) tf.Output {
		return s.NewVariable(name, tf.Float, shape, graphs.Zeros{}, true).Value()
	}
	fetch := func(outs ...tf.Output) graphs.StepRun { return graphs.StepRun{Fetches: outs} }
	sum := func(s *graphs.Scope, x tf.Output) tf.Output {
		axes := make([]int32, x.Shape().NumDimensions())
		for i := range axes {
			axes[i] = int32(i)
		}
		return op.Sum(s.Op("Sum"), x, s.Const(axes))
	}
	grads := func(s *graphs.Scope, loss tf.Output, xs ...tf.Output) []tf.Output {
		g, err := s.Gradients(loss, xs)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	tests := []flopCase{
		{
			// [5, 3] · [3, 4]: 2·5·4·3.
			name: "matmul", x: []int64{-1, 3}, batch: 5,
			build: func(s *graphs.Scope, x tf.Output) graphs.StepRun {
				return fetch(op.MatMul(s.Op("MatMul"), x, w(s, "k", 3, 4)))
			},
			want: map[string]int64{"MatMul": 120},
		},
		{
			// xᵀ [3, 5] · [5, 4] (K = the batch): 2·3·4·5.
			name: "matmul transpose_a", x: []int64{-1, 3}, batch: 5,
			build: func(s *graphs.Scope, x tf.Output) graphs.StepRun {
				return fetch(op.MatMul(s.Op("MatMul"), x, w(s, "k", 5, 4), op.MatMulTransposeA(true)))
			},
			want: map[string]int64{"MatMul": 120},
		},
		{
			// An op the run does not need is not counted: only the [5, 3] · [3, 4] product.
			name: "pruned", x: []int64{-1, 3}, batch: 5,
			build: func(s *graphs.Scope, x tf.Output) graphs.StepRun {
				y := op.MatMul(s.Op("MatMul"), x, w(s, "k", 3, 4))
				op.MatMul(s.Op("MatMul"), y, w(s, "unused", 4, 100))
				return fetch(y)
			},
			want: map[string]int64{"MatMul": 120},
		},
		{
			// 8×8×3 → 4×4×4 (5×5, stride 2, SAME: one row and column of padding before, two
			// after) for 2 images. Along each axis the output positions' taps inside the input
			// are 4, 5, 5 and 3: 17 of 20. 2·N·Cin·Cout·17·17 = 2·2·3·4·289.
			name: "conv2d", x: []int64{-1, 8, 8, 3}, batch: 2,
			build: func(s *graphs.Scope, x tf.Output) graphs.StepRun {
				return fetch(op.Conv2D(s.Op("Conv2D"), x, w(s, "k", 5, 5, 3, 4), []int64{1, 2, 2, 1}, "SAME"))
			},
			want: map[string]int64{"Conv2D": 13872},
		},
		{
			// VALID: every tap is inside. 8×8×3 → 4×4×4 (5×5, stride 1): 2·(2·4·4·4)·5·5·3.
			name: "conv2d valid", x: []int64{-1, 8, 8, 3}, batch: 2,
			build: func(s *graphs.Scope, x tf.Output) graphs.StepRun {
				return fetch(op.Conv2D(s.Op("Conv2D"), x, w(s, "k", 5, 5, 3, 4), []int64{1, 1, 1, 1}, "VALID"))
			},
			want: map[string]int64{"Conv2D": 19200},
		},
		{
			// EXPLICIT padding, two rows before and after, no columns: 8×8 → 8×4 (5×5, stride
			// 1). Rows: 3, 4, 5, 5, 5, 5, 4, 3 = 34 taps inside; columns 4·5 = 20.
			// 2·2·3·4·34·20.
			name: "conv2d explicit padding", x: []int64{-1, 8, 8, 3}, batch: 2,
			build: func(s *graphs.Scope, x tf.Output) graphs.StepRun {
				return fetch(op.Conv2D(s.Op("Conv2D"), x, w(s, "k", 5, 5, 3, 4), []int64{1, 1, 1, 1}, "EXPLICIT",
					op.Conv2DExplicitPaddings([]int64{0, 0, 2, 2, 0, 0, 0, 0})))
			},
			want: map[string]int64{"Conv2D": 32640},
		},
		{
			// Dilation 2, SAME: 8×8 → 8×8 with a 3×3 kernel spanning 5, two before. Taps
			// inside per axis: positions 0, 1 reach 2 taps, 2–5 all 3, 6, 7 two: 20.
			// 2·2·3·4·20·20.
			name: "conv2d dilated", x: []int64{-1, 8, 8, 3}, batch: 2,
			build: func(s *graphs.Scope, x tf.Output) graphs.StepRun {
				return fetch(op.Conv2D(s.Op("Conv2D"), x, w(s, "k", 3, 3, 3, 4), []int64{1, 1, 1, 1}, "SAME",
					op.Conv2DDilations([]int64{1, 2, 2, 1})))
			},
			want: map[string]int64{"Conv2D": 19200},
		},
		{
			// NCHW: the conv2d case above laid out [N, C, H, W].
			name: "conv2d nchw", x: []int64{-1, 3, 8, 8}, batch: 2,
			build: func(s *graphs.Scope, x tf.Output) graphs.StepRun {
				return fetch(op.Conv2D(s.Op("Conv2D"), x, w(s, "k", 5, 5, 3, 4), []int64{1, 1, 2, 2}, "SAME",
					op.Conv2DDataFormat("NCHW")))
			},
			want: map[string]int64{"Conv2D": 13872},
		},
		{
			// The filter's gradient costs what the forward conv does (13,872 each); the
			// input's gradient is not needed (x is data) and not run.
			name: "conv2d gradient", x: []int64{-1, 8, 8, 3}, batch: 2,
			build: func(s *graphs.Scope, x tf.Output) graphs.StepRun {
				k := w(s, "k", 5, 5, 3, 4)
				y := op.Conv2D(s.Op("Conv2D"), x, k, []int64{1, 2, 2, 1}, "SAME")
				return fetch(grads(s, sum(s, y), k)...)
			},
			want: map[string]int64{"Conv2D": 13872, "Conv2DBackpropFilter": 13872},
		},
		{
			// Conv2DTranspose as builders emits it: output sizes from the batch at run time.
			// 4×4×4 → 8×8×3 is the transpose of the conv above: 13,872 forward, and its
			// gradient has one Conv2D (input) and one Conv2DBackpropFilter (filter).
			name: "conv2d transpose and gradient", x: []int64{-1, 4, 4, 4}, batch: 2,
			build: func(s *graphs.Scope, x tf.Output) graphs.StepRun {
				k := w(s, "k", 5, 5, 3, 4)
				batch := op.StridedSlice(s.Op("StridedSlice"), op.Shape(s.Op("Shape"), x), s.Const([]int32{0}), s.Const([]int32{1}), s.Const([]int32{1}))
				sizes := op.ConcatV2(s.Op("ConcatV2"), []tf.Output{batch, s.Const([]int32{8, 8, 3})}, s.Const(int32(0)))
				y := op.Conv2DBackpropInput(s.Op("Conv2DBackpropInput"), sizes, k, x, []int64{1, 2, 2, 1}, "SAME")
				g := grads(s, sum(s, op.Square(s.Op("Square"), y)), x, k)
				return fetch(g...)
			},
			want: map[string]int64{"Conv2DBackpropInput": 13872, "Conv2D": 13872, "Conv2DBackpropFilter": 13872},
		},
		{
			// T 6, B 5, I 3, U 2: forward 2·6·5·(3+2)·8 = 2,400; backward twice that.
			name: "block lstm and gradient", x: []int64{6, -1, 3}, batch: 5,
			build: func(s *graphs.Scope, x tf.Output) graphs.StepRun {
				wv, b := w(s, "w", 5, 8), w(s, "b", 8)
				h := s.BlockLSTM(x, wv, b, 2)
				return fetch(grads(s, sum(s, h), wv, b)...)
			},
			want: map[string]int64{"BlockLSTMV2": 2400, "BlockLSTMGradV2": 4800},
		},
		{
			// The same LSTM unrolled: per step x_t·kernel [5, 3] · [3, 8] = 240 (1,440 for 6
			// steps), and h·recurrent [5, 2] · [2, 8] = 160 from step 1 on (h₀ is zero): 5·160.
			// Backward: per step dkernel 240 (dx is not fetched: x is data), and from step 1
			// on dh_prev and drecurrent, 160 each: 1,440 + 10·160.
			name: "unrolled lstm and gradient", x: []int64{6, -1, 3}, batch: 5,
			build: func(s *graphs.Scope, x tf.Output) graphs.StepRun {
				wv, b := w(s, "w", 5, 8), w(s, "b", 8)
				h := s.UnrolledLSTM(x, wv, b, 6, 2)
				return fetch(grads(s, sum(s, h), wv, b)...)
			},
			want: map[string]int64{"MatMul": 1440 + 5*160 + 1440 + 10*160},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := graphs.NewGraph(tf.Float, 1)
			s := g.Root()
			x := s.Placeholder("x", tf.Float, tt.x...)
			run := tt.build(s, x)
			shape := append([]int64(nil), tt.x...)
			for i, d := range shape {
				if d < 0 {
					shape[i] = tt.batch
				}
			}
			got, err := graphs.CountFLOPs(g, map[tf.Output][]int64{x: shape}, run)
			if err != nil {
				t.Fatal(err)
			}
			var total int64
			for k, v := range tt.want {
				total += v
				if got.ByType[k] != v {
					t.Errorf("%s: %d FLOPs, want %d", k, got.ByType[k], v)
				}
			}
			if got.Total != total || len(got.ByType) != len(tt.want) {
				t.Errorf("got %d FLOPs %v, want %d %v", got.Total, got.ByType, total, tt.want)
			}
		})
	}
}

// Two runs of one step are counted separately and summed, even where they share ops.
func TestCountFLOPsRuns(t *testing.T) {
	g := graphs.NewGraph(tf.Float, 1)
	s := g.Root()
	x := s.Placeholder("x", tf.Float, -1, 3)
	k := s.NewVariable("k", tf.Float, []int64{3, 4}, graphs.Zeros{}, true)
	y := op.MatMul(s.Op("MatMul"), x, k.Value())
	run := graphs.StepRun{Fetches: []tf.Output{y}}
	got, err := graphs.CountFLOPs(g, map[tf.Output][]int64{x: {5, 3}}, run, run)
	if err != nil {
		t.Fatal(err)
	}
	if got.Total != 240 {
		t.Errorf("two runs: %d FLOPs, want 2·120", got.Total)
	}
}

func TestCountFLOPsErrors(t *testing.T) {
	tests := []struct {
		name   string
		inputs func(x, z tf.Output) map[tf.Output][]int64
		want   string
	}{
		{"unfed placeholder", func(x, z tf.Output) map[tf.Output][]int64 { return map[tf.Output][]int64{x: {5, 3}} },
			`placeholder "z/Placeholder" is run but has no shape`},
		{"unknown dimension", func(x, z tf.Output) map[tf.Output][]int64 {
			return map[tf.Output][]int64{x: {-1, 3}, z: {5, 4}}
		}, "x/Placeholder:0: shape [-1 3] has an unknown dimension"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := graphs.NewGraph(tf.Float, 1)
			s := g.Root()
			x := s.Placeholder("x", tf.Float, -1, 3)
			z := s.Placeholder("z", tf.Float, -1, 4)
			k := s.NewVariable("k", tf.Float, []int64{3, 4}, graphs.Zeros{}, true)
			y := op.AddV2(s.Op("AddV2"), op.MatMul(s.Op("MatMul"), x, k.Value()), z)
			_, err := graphs.CountFLOPs(g, tt.inputs(x, z), graphs.StepRun{Fetches: []tf.Output{y}})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}
