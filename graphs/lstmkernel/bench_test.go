package lstmkernel_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"syscall"
	"testing"
	"time"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/graphs/lstmkernel"
)

// BenchmarkLSTMStep times one training step of an LSTM layer alone (forward, backward to
// x, w and b) at two models' shapes: imdb_tuned's (200 steps, batch 512, 64 inputs, 64
// units) and imdb_cnn_lstm's (24 steps, batch 30, 64 inputs, 70 units). Forms: "kernel"
// (graphs.KernelLSTM, this package's cell ops) and "unrolled" (graphs.UnrolledLSTM) with
// the thread layout classifier gives them (one intra-op thread, an inter-op thread per
// core), "block" (TensorFlow's BlockLSTMV2) with TensorFlow's own. Besides the wall time
// it reports the process's CPU time a step (cpu-ms/op, user and system), which a machine
// shared with other jobs disturbs less.
//
//	go test -run '^$' -bench LSTMStep -benchtime 10x ./graphs/lstmkernel
func BenchmarkLSTMStep(b *testing.B) {
	for _, shape := range []struct {
		name                        string
		steps, batch, inputs, units int
	}{{"imdb_tuned", 200, 512, 64, 64}, {"imdb_cnn_lstm", 24, 30, 64, 70}} {
		b.Run(shape.name, func(b *testing.B) {
			benchmarkLSTMStep(b, shape.steps, shape.batch, shape.inputs, shape.units)
		})
	}
}

func benchmarkLSTMStep(b *testing.B, steps, batch, inputs, units int) {
	// Each form takes batch-major x, as an LSTM layer does, and returns the last step's h.
	timeMajor := func(f func(s *graphs.Scope, x, w, bias tf.Output) tf.Output) func(s *graphs.Scope, x, w, bias tf.Output) tf.Output {
		return func(s *graphs.Scope, x, w, bias tf.Output) tf.Output {
			h := f(s, op.Transpose(s.Op("Transpose"), x, s.Const([]int32{1, 0, 2})), w, bias)
			return op.GatherV2(s.Op("GatherV2"), h, s.Const(int32(steps-1)), s.Const(int32(0)))
		}
	}
	forms := map[string]func(s *graphs.Scope, x, w, bias tf.Output) tf.Output{
		"kernel": func(s *graphs.Scope, x, w, bias tf.Output) tf.Output {
			return s.KernelLSTM(x, w, bias, steps, units, false)
		},
		"unrolled": timeMajor(func(s *graphs.Scope, x, w, bias tf.Output) tf.Output {
			return s.UnrolledLSTM(x, w, bias, steps, units)
		}),
		"block": timeMajor(func(s *graphs.Scope, x, w, bias tf.Output) tf.Output { return s.BlockLSTM(x, w, bias, units) }),
	}
	for _, name := range []string{"kernel", "unrolled", "block"} {
		for _, dtype := range []tf.DataType{tf.Float, tf.Bfloat16} {
			if name == "block" && dtype != tf.Float {
				continue // BlockLSTMV2 has no bfloat16 CPU kernel
			}
			b.Run(fmt.Sprintf("%s/%s", name, map[tf.DataType]string{tf.Float: "float32", tf.Bfloat16: "bfloat16"}[dtype]), func(b *testing.B) {
				if err := lstmkernel.Register(); err != nil {
					b.Fatal(err)
				}
				rng := rand.New(rand.NewPCG(1, 2))
				random := func(n int, scale float64) []float32 {
					v := make([]float32, n)
					for i := range v {
						v[i] = float32(scale * (2*rng.Float64() - 1))
					}
					return v
				}
				g := graphs.NewGraph(tf.Float, 1)
				s := g.Root()
				x := s.Placeholder("x", tf.Float, int64(batch), int64(steps), int64(inputs))
				w := s.Const(random((inputs+units)*4*units, 0.2))
				w = op.Reshape(s.Op("Reshape"), w, s.Const([]int32{int32(inputs + units), int32(4 * units)}))
				bias := s.Const(random(4*units, 0.1))
				in := []tf.Output{x, w, bias}
				cast := make([]tf.Output, 3)
				for i := range in {
					cast[i] = s.CastTo(in[i], dtype)
				}
				last := s.CastTo(forms[name](s, cast[0], cast[1], cast[2]), tf.Float)
				loss := op.Sum(s.Op("Sum"), op.Square(s.Op("Square"), last), s.Const([]int32{0, 1}))
				grads, err := s.Gradients(loss, in)
				if err != nil {
					b.Fatal(err)
				}
				threads := graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: runtime.NumCPU()}
				if name == "block" {
					threads = graphs.SessionOptions{}
				}
				sess, err := graphs.NewSession(g, threads)
				if err != nil {
					b.Fatal(err)
				}
				defer sess.Close()
				xt, err := graphs.NewTensor(random(steps*batch*inputs, 1), int64(batch), int64(steps), int64(inputs))
				if err != nil {
					b.Fatal(err)
				}
				feeds := map[tf.Output]*tf.Tensor{x: xt}
				if _, err := sess.Run(feeds, grads); err != nil { // warm-up: kernels' first calls
					b.Fatal(err)
				}
				cpu0 := cpuTime()
				b.ResetTimer()
				for range b.N {
					if _, err := sess.Run(feeds, grads); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric((cpuTime()-cpu0).Seconds()*1e3/float64(b.N), "cpu-ms/op")
				b.ReportMetric(float64(len(g.TF().Operations())), "ops")
			})
		}
	}
}

// cpuTime is the CPU time the process has used, user and system, all threads.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
