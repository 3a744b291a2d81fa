// Command peak measures how fast TensorFlow's own kernels run on this machine: a large
// MatMul and the DCGANs' convolutions (forward; the input and filter gradients of
// dcgan_mnist's, which its generator's Conv2DTransposes also run), each in float32 and in
// bfloat16, through the same libtensorflow and thread settings as bench/cmd/tfrun-bench.
// The fastest float32 kernel is the peak that `make bench` reports each model's achieved
// FLOP/s as a share of (bench/cmd/compare runs this once per benchmark run). Last, an FMA
// loop on -threads threads at once (every CPU by default; bench/fma, -fma-seconds) measures
// the float32 FMA units, the limit of a float32 kernel in those vectors; the report gives
// the peak as a share of it.
//
//	peak -json /tmp/peak.json
//
// Each kernel runs alone in its own graph and session, on variables (so nothing is
// constant-folded) holding uniform random values; bfloat16 variables are cast from float32
// once, when they are initialised, so the timed runs are the kernel alone. A kernel is run
// twice untimed (oneDNN builds its primitives on the first run; once if that run took
// longer than -seconds), then timed run by run until -seconds have passed and -min-runs
// runs are done, or -max-seconds have passed; its GFLOP/s is its FLOPs
// (graphs.CountFLOPs, as for the models) over the median run. A kernel TensorFlow has no
// CPU implementation of for a data type is reported as not run, with TensorFlow's error.
// Exit codes: 0 success, 1 runtime error, 2 usage.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/bench"
	"github.com/tfrun/tfrun/bench/fma"
	"github.com/tfrun/tfrun/graphs"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// options are the command line's settings.
type options struct {
	seconds    float64
	maxSeconds float64
	minRuns    int
	threads    int
	only       string
	dtypes     []string
}

// run is the whole command line, testable: it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("peak", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		jsonOut = fs.String("json", "", "also write the measurement as JSON to this file")
		seconds = fs.Float64("seconds", 1, "time each kernel for at least this long")
		minRuns = fs.Int("min-runs", 5, "and for at least this many runs")
		maxSecs = fs.Float64("max-seconds", 5, "but stop timing a kernel after this long (it has run once)")
		threads = fs.Int("threads", 0, "TensorFlow intra-op threads (0: TensorFlow's choice, as tfrun-bench and Keras)")
		only    = fs.String("kernels", "", "time only the kernels whose name contains this")
		dtypes  = fs.String("dtypes", bench.Float32+","+bench.Bfloat16, "data types, comma-separated")
		fmaSecs = fs.Float64("fma-seconds", 0.5, "time the float32 FMA units for this long, three times (0: not at all)")
	)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	o := options{seconds: *seconds, maxSeconds: *maxSecs, minRuns: *minRuns, threads: *threads, only: *only}
	for _, d := range strings.Split(*dtypes, ",") {
		if _, ok := dataType(strings.TrimSpace(d)); !ok {
			fmt.Fprintf(stderr, "peak: -dtypes: unknown %q (valid: %s, %s)\n", d, bench.Float32, bench.Bfloat16)
			return 2
		}
		o.dtypes = append(o.dtypes, strings.TrimSpace(d))
	}
	if fs.NArg() > 0 || o.seconds < 0 || o.maxSeconds < o.seconds || o.minRuns < 1 || o.threads < 0 || *fmaSecs < 0 {
		fmt.Fprintf(stderr, "peak: want no arguments, 0 <= -seconds <= -max-seconds, -min-runs >= 1, -threads >= 0 and -fma-seconds >= 0, got %q, %v, %v, %d, %d, %v\n",
			fs.Args(), o.seconds, o.maxSeconds, o.minRuns, o.threads, *fmaSecs)
		return 2
	}
	p, err := measure(o, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "peak: %v\n", err)
		return 1
	}
	if *fmaSecs > 0 {
		r, err := fma.Measure(o.threads, *fmaSecs)
		switch {
		case errors.Is(err, fma.ErrNoFMA):
			fmt.Fprintf(stdout, "float32 FMA units: not measured: %v\n", err)
		case err != nil:
			fmt.Fprintf(stderr, "peak: %v\n", err)
			return 1
		default:
			p.FMA = &bench.FMARate{GFLOPS: r.GFLOPS, Lanes: r.Lanes, Threads: r.Threads}
		}
	}
	for _, line := range p.Lines() {
		if strings.Contains(line, " peak: ") || strings.HasPrefix(line, "float32 FMA units:") {
			fmt.Fprintln(stdout, line)
		}
	}
	if *jsonOut != "" {
		if err := bench.WritePeak(*jsonOut, p); err != nil {
			fmt.Fprintf(stderr, "peak: %v\n", err)
			return 1
		}
	}
	return 0
}

// dataType is the TensorFlow type of a data type kernels are timed in.
func dataType(name string) (tf.DataType, bool) {
	switch name {
	case bench.Float32:
		return tf.Float, true
	case bench.Bfloat16:
		return tf.Bfloat16, true
	}
	return 0, false
}

// kernel is one timed op: build adds it to a graph, reading its operands from in.
type kernel struct {
	name  string
	build func(s *graphs.Scope, in func(shape ...int64) tf.Output) *tf.Operation
}

// kernels are the timed ops: a square MatMul large enough for the best GEMM speed and
// small enough to run in a tenth of a second, and the convolutions that dominate the
// DCGANs' steps at their batch of 256 (the discriminators' second Conv2D and its two
// gradients, which are also the generator's second Conv2DTranspose and its gradients,
// and the generator's first Conv2DTranspose, the largest op of a dcgan_mnist step).
func kernels() []kernel {
	conv := func(s *graphs.Scope, in func(...int64) tf.Output, hw int64) *tf.Operation {
		return op.Conv2D(s.Op("Conv2D"), in(256, hw, hw, 64), in(5, 5, 64, 128), []int64{1, 2, 2, 1}, "SAME").Op
	}
	return []kernel{
		{"MatMul [2048,2048]·[2048,2048]", func(s *graphs.Scope, in func(...int64) tf.Output) *tf.Operation {
			return op.MatMul(s.Op("MatMul"), in(2048, 2048), in(2048, 2048)).Op
		}},
		{"Conv2D [256,14,14,64]⊛[5,5,64,128] stride 2 (dcgan_mnist's discriminator)", func(s *graphs.Scope, in func(...int64) tf.Output) *tf.Operation {
			return conv(s, in, 14)
		}},
		{"Conv2DBackpropInput of it (dcgan_mnist's 2nd Conv2DTranspose)", func(s *graphs.Scope, in func(...int64) tf.Output) *tf.Operation {
			return op.Conv2DBackpropInput(s.Op("Conv2DBackpropInput"), s.Const([]int32{256, 14, 14, 64}),
				in(5, 5, 64, 128), in(256, 7, 7, 128), []int64{1, 2, 2, 1}, "SAME").Op
		}},
		{"Conv2DBackpropFilter of it", func(s *graphs.Scope, in func(...int64) tf.Output) *tf.Operation {
			return op.Conv2DBackpropFilter(s.Op("Conv2DBackpropFilter"), in(256, 14, 14, 64),
				s.Const([]int32{5, 5, 64, 128}), in(256, 7, 7, 128), []int64{1, 2, 2, 1}, "SAME").Op
		}},
		{"Conv2DBackpropInput [256,7,7,256]⊛[5,5,128,256] stride 1 (dcgan_mnist's 1st Conv2DTranspose)", func(s *graphs.Scope, in func(...int64) tf.Output) *tf.Operation {
			return op.Conv2DBackpropInput(s.Op("Conv2DBackpropInput"), s.Const([]int32{256, 7, 7, 128}),
				in(5, 5, 128, 256), in(256, 7, 7, 256), []int64{1, 1, 1, 1}, "SAME").Op
		}},
		{"Conv2D [256,16,16,64]⊛[5,5,64,128] stride 2 (dcgan_cifar's discriminator)", func(s *graphs.Scope, in func(...int64) tf.Output) *tf.Operation {
			return conv(s, in, 16)
		}},
	}
}

// measure times every selected kernel in every data type.
func measure(o options, progress io.Writer) (bench.Peak, error) {
	p := bench.Peak{Framework: "tensorflow " + tf.Version(), Threads: o.threads, OneDNN: os.Getenv("TF_ENABLE_ONEDNN_OPTS")}
	for _, k := range kernels() {
		if o.only != "" && !strings.Contains(k.name, o.only) {
			continue
		}
		for _, dt := range o.dtypes {
			r, err := timeKernel(k, dt, o)
			if err != nil {
				return p, fmt.Errorf("%s, %s: %w", k.name, dt, err)
			}
			if r.Error != "" {
				fmt.Fprintf(progress, "%-95s %-8s did not run: %s\n", k.name, dt, r.Error)
			} else {
				fmt.Fprintf(progress, "%-95s %-8s %7s GFLOP/s (%s GFLOP, median of %d runs)\n",
					k.name, dt, bench.Figure(r.GFLOPS), bench.Figure(float64(r.FLOPs)/1e9), len(r.Seconds))
			}
			p.Kernels = append(p.Kernels, r)
		}
	}
	if len(p.Kernels) == 0 {
		return p, fmt.Errorf("-kernels %q selects none", o.only)
	}
	return p, nil
}

// timeKernel builds one kernel in a data type, counts its FLOPs and times it. A run that
// fails (no kernel for the data type) is reported in the result, not as an error.
func timeKernel(k kernel, dtype string, o options) (bench.KernelRate, error) {
	dt, _ := dataType(dtype)
	g := graphs.NewGraph(tf.Float, 1)
	s := g.Root()
	var inits []*tf.Operation
	seed := int64(0)
	in := func(shape ...int64) tf.Output {
		seed++
		vs := s.Sub("operand")
		h := op.VarHandleOp(vs.Op("VarHandleOp"), dt, tf.MakeShape(shape...), op.VarHandleOpSharedName(vs.Path()))
		x := op.RandomUniform(vs.Op("RandomUniform"), vs.Const(shape), tf.Float, op.RandomUniformSeed(1), op.RandomUniformSeed2(seed))
		x = op.Sub(vs.Op("Sub"), op.Mul(vs.Op("Mul"), x, vs.Const(float32(2))), vs.Const(float32(1)))
		if dt != tf.Float {
			x = op.Cast(vs.Op("Cast"), x, dt)
		}
		inits = append(inits, op.AssignVariableOp(vs.Op("AssignVariableOp"), h, x))
		return op.ReadVariableOp(vs.Op("ReadVariableOp"), h, dt)
	}
	target := k.build(s.Sub("kernel"), in)
	if err := s.Err(); err != nil {
		return bench.KernelRate{}, err
	}
	flops, err := graphs.CountFLOPs(g, nil, graphs.StepRun{Targets: []*tf.Operation{target}})
	if err != nil {
		return bench.KernelRate{}, err
	}
	sess, err := graphs.StartSession(g, o.threads)
	if err != nil {
		return bench.KernelRate{}, err
	}
	defer sess.Close()
	if _, err := sess.Run(nil, nil, inits...); err != nil {
		return bench.KernelRate{}, fmt.Errorf("initialising the operands: %w", err)
	}
	for i := range 2 {
		t0 := time.Now()
		if _, err := sess.Run(nil, nil, target); err != nil {
			return bench.KernelRate{Name: k.name, DType: dtype, FLOPs: flops.Total, Error: firstLine(err.Error())}, nil
		}
		if i == 0 && time.Since(t0).Seconds() > o.seconds {
			break // a slow kernel (a bfloat16 one without a fast CPU implementation): once is enough
		}
	}
	var times []float64
	start := time.Now()
	for o.more(len(times), time.Since(start).Seconds()) {
		t0 := time.Now()
		if _, err := sess.Run(nil, nil, target); err != nil {
			return bench.KernelRate{}, err
		}
		times = append(times, time.Since(t0).Seconds())
	}
	return bench.NewKernelRate(k.name, dtype, flops.Total, times), nil
}

// more reports whether to time another run of a kernel after n runs in elapsed seconds:
// until -seconds and -min-runs are both reached, but at least once and not past
// -max-seconds.
func (o options) more(n int, elapsed float64) bool {
	switch {
	case n == 0:
		return true
	case elapsed >= o.maxSeconds:
		return false
	}
	return n < o.minRuns || elapsed < o.seconds
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
