package distributed

import (
	"bufio"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tfrun/tfrun/graphs"
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// trainableShapes are the trainable variables of two shipped models, in build order: what
// a training step all-reduces (one gradient per variable).
var trainableShapes = map[string][][]int32{
	// configs/gan_mnist.yaml (the MNIST DCGAN): generator, then discriminator; 2,518,337.
	"dcgan_mnist": {
		{100, 12544}, {12544}, {12544}, {5, 5, 128, 256}, {128}, {128}, {5, 5, 64, 128}, {64}, {64}, {5, 5, 1, 64},
		{5, 5, 1, 64}, {64}, {5, 5, 64, 128}, {128}, {6272, 1}, {1},
	},
	// configs/imdb_tuned.yaml: Embedding, LSTM (kernel, recurrent_kernel, bias), Dense; 1,313,089.
	"imdb_tuned": {{20000, 64}, {64, 256}, {64, 256}, {256}, {64, 1}, {1}},
}

// benchLayouts: "per_variable" reduces one tensor per variable (Mean, as a training step
// would), "packed" the same tensors through MeanPacked, "one_tensor" the same floats as
// one tensor.
var benchLayouts = []string{"per_variable", "packed", "one_tensor"}

// buildModelReduce emits, for each layout, a step that fills tensors of the model's
// shapes with replica+1 (a memset, small next to the transfer) and all-reduces them; the
// fetch is the first element of each mean, so copying results to Go costs nothing.
func buildModelReduce(shapes [][]int32, layout string) func(s *graphs.Scope, ar *AllReduce, replica int) []tf.Output {
	return func(s *graphs.Scope, ar *AllReduce, replica int) []tf.Output {
		if layout == "one_tensor" {
			n := int32(0)
			for _, shape := range shapes {
				n += product(shape)
			}
			shapes = [][]int32{{n}}
		}
		var xs []tf.Output
		for _, shape := range shapes {
			xs = append(xs, op.Fill(s.Op("Fill"), s.Const(shape), s.Const(float32(replica+1))))
		}
		means := ar.Mean
		if layout == "packed" {
			means = ar.MeanPacked
		}
		var firsts []tf.Output
		for _, m := range means(s, xs...) {
			flat := op.Reshape(s.Op("Reshape"), m, s.Const([]int32{-1}))
			firsts = append(firsts, op.Slice(s.Op("Slice"), flat, s.Const([]int32{0}), s.Const([]int32{1})))
		}
		if len(firsts) == 1 {
			return firsts
		}
		return []tf.Output{op.Concat(s.Op("Concat"), s.Const(int32(0)), firsts)}
	}
}

// BenchmarkAllReduce measures the all-reduce (mean) of a model's gradients between two
// workers on loopback, each its own server and session in this process, one intra-op
// thread each (see benchLayouts). In one process the two servers share TensorFlow's
// process-wide thread pools; BenchmarkAllReduceProcesses is the realistic measure.
//
//	go test ./distributed -run '^$' -bench AllReduce -benchtime 20x
func BenchmarkAllReduce(b *testing.B) {
	for _, model := range []string{"dcgan_mnist", "imdb_tuned"} {
		for _, layout := range benchLayouts {
			b.Run(model+"/"+layout, func(b *testing.B) {
				benchmarkAllReduce(b, buildModelReduce(trainableShapes[model], layout), modelBytes(model))
			})
		}
	}
}

func benchmarkAllReduce(b *testing.B, build func(*graphs.Scope, *AllReduce, int) []tf.Output, bytes int64) {
	c := newCluster(b, 0, 2, Task{Job: JobWorker})
	type replica struct {
		sess  *tf.Session
		fetch []tf.Output
	}
	var reps [2]replica
	for i := range reps {
		ct, _ := c.ForTask(Task{Job: JobWorker, Index: i})
		srv, err := NewServer(ct, ServerOptions{IntraOpThreads: 1, InterOpThreads: 2})
		if err != nil {
			b.Fatal(err)
		}
		g := graphs.NewGraph(tf.Float, 1)
		fetch := build(g.Root(), NewAllReduce(ct, 30*time.Second), i)
		if err := g.Root().Err(); err != nil {
			b.Fatal(err)
		}
		opts, err := srv.SessionOptions()
		if err != nil {
			b.Fatal(err)
		}
		sess, err := tf.NewSession(g.TF(), opts)
		if err != nil {
			b.Fatal(err)
		}
		reps[i] = replica{sess: sess, fetch: fetch}
	}
	step := func() {
		done := make(chan error, 1)
		go func() {
			_, err := reps[1].sess.Run(nil, reps[1].fetch, nil)
			done <- err
		}()
		out, err := reps[0].sess.Run(nil, reps[0].fetch, nil)
		if err1 := <-done; err == nil {
			err = err1
		}
		if err != nil {
			b.Fatal(err)
		}
		for _, v := range graphs.Value(out[0]).([]float32) {
			if v != 1.5 {
				b.Fatalf("mean %v, want 1.5", v)
			}
		}
	}
	step() // warm-up: graph build, group resolution
	b.SetBytes(bytes)
	for b.Loop() {
		step()
	}
}

// BenchmarkAllReduceProcesses is BenchmarkAllReduce with the two workers as two processes,
// as a cluster runs: each child runs b.N+1 steps (the first a warm-up); the time reported
// (ms/step) is worker 0's mean step time, b.N steps. Run it with a fixed count:
//
//	go test ./distributed -run '^$' -bench AllReduceProcesses -benchtime 20x
func BenchmarkAllReduceProcesses(b *testing.B) {
	for _, model := range []string{"dcgan_mnist", "imdb_tuned"} {
		for _, layout := range benchLayouts {
			b.Run(model+"/"+layout, func(b *testing.B) {
				c := newCluster(b, 0, 2, Task{Job: JobWorker})
				var cmds []*exec.Cmd
				var out0 strings.Builder
				for i := range 2 {
					cmd := exec.Command(testBinary(b))
					cmd.Env = childEnv(c, Task{Job: JobWorker, Index: i}, envChildBench+"="+model+"/"+layout,
						envChildRuns+"="+strconv.Itoa(b.N+1), envChildBound+"=60s", envChildTimeout+"=30s")
					if i == 0 {
						cmd.Stdout = &out0
					}
					if err := cmd.Start(); err != nil {
						b.Fatal(err)
					}
					cmds = append(cmds, cmd)
				}
				for _, cmd := range cmds {
					if err := waitBounded(b, cmd, 5*time.Minute); err != nil {
						b.Fatalf("%v; worker 0's output:\n%s", err, out0.String())
					}
				}
				var total time.Duration
				var steps int
				sc := bufio.NewScanner(strings.NewReader(out0.String()))
				for sc.Scan() {
					if ns, ok := strings.CutPrefix(sc.Text(), "took: "); ok {
						if steps++; steps > 1 { // the first is the warm-up
							d, _ := strconv.ParseInt(ns, 10, 64)
							total += time.Duration(d)
						}
					}
				}
				if steps != b.N+1 {
					b.Fatalf("worker 0 reported %d steps, want %d:\n%s", steps, b.N+1, out0.String())
				}
				ms := total.Seconds() * 1000 / float64(b.N)
				b.ReportMetric(ms, "ms/step")
				b.ReportMetric(float64(modelBytes(model))/1e6/(ms/1000), "MB/s")
				b.ReportMetric(0, "ns/op") // the parent's time is process start-up, not the step
			})
		}
	}
}

// modelBytes is the bytes all-reduced per step: the model's parameters × 4.
func modelBytes(model string) int64 {
	n := int64(0)
	for _, s := range trainableShapes[model] {
		n += int64(product(s))
	}
	return 4 * n
}

func product(shape []int32) int32 {
	p := int32(1)
	for _, d := range shape {
		p *= d
	}
	return p
}
