package lstmkernel_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/graphs/lstmkernel"
)

// BenchmarkLSTMStep times one training step of an LSTM layer alone (forward, backward to
// x, w and b) at imdb_tuned's shapes: 200 steps, batch 512, 64 inputs, 64 units, with the
// thread layout classifier runs an unrolled LSTM with (one intra-op thread, an inter-op
// thread per core). Forms: "kernel" (graphs.KernelLSTM, this package's cell ops),
// "unrolled" (graphs.UnrolledLSTM) and "block" (TensorFlow's BlockLSTMV2, which classifier
// runs with TensorFlow's own thread layout; here it gets the same one as the others).
//
//	go test -run '^$' -bench LSTMStep -benchtime 10x ./graphs/lstmkernel
func BenchmarkLSTMStep(b *testing.B) {
	const steps, batch, inputs, units = 200, 512, 64, 64
	forms := map[string]func(s *graphs.Scope, x, w, bias tf.Output) tf.Output{
		"kernel":   func(s *graphs.Scope, x, w, bias tf.Output) tf.Output { return s.KernelLSTM(x, w, bias, steps, units) },
		"unrolled": func(s *graphs.Scope, x, w, bias tf.Output) tf.Output { return s.UnrolledLSTM(x, w, bias, steps, units) },
		"block":    func(s *graphs.Scope, x, w, bias tf.Output) tf.Output { return s.BlockLSTM(x, w, bias, units) },
	}
	for _, name := range []string{"kernel", "unrolled", "block"} {
		for _, dtype := range []tf.DataType{tf.Float, tf.Bfloat16} {
			if name == "block" && dtype != tf.Float {
				continue // BlockLSTMV2 has no bfloat16 CPU kernel
			}
			b.Run(fmt.Sprintf("%s/%v", name, dtype), func(b *testing.B) {
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
				x := s.Placeholder("x", tf.Float, steps, batch, inputs)
				w := s.Const(random((inputs+units)*4*units, 0.2))
				w = op.Reshape(s.Op("Reshape"), w, s.Const([]int32{inputs + units, 4 * units}))
				bias := s.Const(random(4*units, 0.1))
				in := []tf.Output{x, w, bias}
				cast := make([]tf.Output, 3)
				for i := range in {
					cast[i] = s.CastTo(in[i], dtype)
				}
				h := forms[name](s, cast[0], cast[1], cast[2])
				last := op.GatherV2(s.Op("GatherV2"), s.CastTo(h, tf.Float), s.Const(int32(steps-1)), s.Const(int32(0)))
				loss := op.Sum(s.Op("Sum"), op.Square(s.Op("Square"), last), s.Const([]int32{0, 1}))
				grads, err := s.Gradients(loss, in)
				if err != nil {
					b.Fatal(err)
				}
				sess, err := graphs.NewSession(g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: runtime.NumCPU()})
				if err != nil {
					b.Fatal(err)
				}
				defer sess.Close()
				xt, err := graphs.NewTensor(random(steps*batch*inputs, 1), steps, batch, inputs)
				if err != nil {
					b.Fatal(err)
				}
				feeds := map[tf.Output]*tf.Tensor{x: xt}
				if _, err := sess.Run(feeds, grads); err != nil { // warm-up: kernels' first calls
					b.Fatal(err)
				}
				b.ResetTimer()
				for range b.N {
					if _, err := sess.Run(feeds, grads); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(len(g.TF().Operations())), "ops")
			})
		}
	}
}
