package bench

import (
	"fmt"
	"strings"
	"time"

	"github.com/tfrun/tfrun/configs"
)

// Machine describes where a benchmark ran.
type Machine struct {
	CPU        string   // /proc/cpuinfo's model name
	Extensions []string // its vector and matrix extensions (CPUExtensions)
	NProc      int      // CPUs available to the processes
	MemBytes   int64    // /proc/meminfo's MemTotal
	// OneDNN is the oneDNN setting both sides ran with (OneDNNSetting); "" if unknown.
	OneDNN string
}

// Report is everything bench/results.md says.
type Report struct {
	Date      time.Time
	Machine   Machine
	GoVersion string
	Commit    string // tfrun's git commit, "" if unknown
	Rounds    int
	// LoadBefore and LoadAfter are /proc/loadavg's 1, 5 and 15-minute load averages when
	// the benchmark started and ended: other work on the machine skews both sides.
	LoadBefore, LoadAfter string
	Command               string   // the comparison's command line
	Commands              []string // one process of each kind, as run in round 1
	Rows                  []Row
	// Peak is bench/cmd/peak's measurement, taken before and after the rounds, each kernel's
	// faster one (Faster; nil: not measured).
	Peak        *Peak
	PeakCommand string // its command line
}

// Markdown renders results.md.
//
// Rows under mixed_bfloat16 get a section of their own after the float32 summary.
func (r Report) Markdown() (string, error) {
	f32Rows, mixedRows := SplitPrecisions(r.Rows)
	summary, err := SummaryTable(f32Rows, r.Peak)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# tfrun vs Keras: training throughput\n\n")
	p("Written by `make bench` (bench/cmd/compare) on %s.\n\n", r.Date.UTC().Format("2006-01-02 15:04 MST"))
	p("- Machine: %s, nproc %d, %s RAM; CPU-only TensorFlow on both sides\n", orUnknown(r.Machine.CPU)+" CPU", r.Machine.NProc, gib(r.Machine.MemBytes))
	if ext := r.Machine.Extensions; ext != nil {
		p("- CPU extensions: %s", strings.Join(ext, ", "))
		if missing := missingExtensions(ext); len(missing) > 0 {
			p("; no %s", strings.Join(missing, ", "))
		}
		p("\n")
	}
	if r.Machine.OneDNN != "" {
		p("- oneDNN: %s\n", r.Machine.OneDNN)
	}
	for _, f := range r.frameworks() {
		p("- %s\n", f)
	}
	if r.Commit != "" {
		p("- tfrun commit %s, built with %s\n", r.Commit, r.GoVersion)
	} else {
		p("- tfrun built with %s\n", r.GoVersion)
	}
	if r.LoadBefore != "" || r.LoadAfter != "" {
		p("- Load average (1, 5, 15 min): %s before, %s after\n", orUnknown(r.LoadBefore), orUnknown(r.LoadAfter))
	}
	p("- %d rounds; each runs every model once in tfrun and once in Keras, as separate processes back to back, alternating which goes first\n\n", r.Rounds)
	if len(mixedRows) > 0 && len(f32Rows) == 0 {
		p("Only mixed_bfloat16 ran (below).\n\n")
	}
	p("## Summary\n\n%s\n", summary)
	p("ex/s: training examples per second over the timed steps (warm-up steps excluded), median over the rounds. ")
	p("tfrun/Keras: the median of the per-round ratios, with their min–max. ")
	p("First step: from just before the model is constructed to the end of the first training step ")
	p("(graph building or tracing, variable initialisation, one step), median; process start-up and imports are not included ")
	p("(the per-round table shows each whole process). Peak RSS: getrusage ru_maxrss of each process, the largest over the rounds. ")
	p("Both sides train the same number of parameters (checked every round) on random inputs of the real shapes from a fixed seed.\n\n")
	p("MFLOP/example: the floating-point work of a training step over its batch, counted from tfrun's graph (`graphs.CountFLOPs`): ")
	p("2·M·N·K per matrix product, the convolutions and the fused LSTM kernels by their products, forward and backward ")
	p("(a convolution's taps on SAME padding's zeros not counted: oneDNN's kernels and tfrun's skip them), ")
	p("only the ops the step runs; elementwise ops, normalisation and the optimizer's update are not counted. ")
	p("Keras's model has the same layers and shapes, so its step is credited with the same count. ")
	p("GFLOP/s: MFLOP/example × the median ex/s. ")
	if f := r.Peak.Float32GFLOPS(); f > 0 {
		p("%% of peak: GFLOP/s over the float32 peak, %s GFLOP/s, the fastest float32 kernel in the measurement below.\n\n", Figure(f))
	} else {
		p("%% of peak: not known, the peak was not measured in this run.\n\n")
	}
	for _, row := range r.Rows {
		if row.TfrunPending != "" {
			p("%s: %s.\n\n", row.Label(), strings.TrimSuffix(row.TfrunPending, "."))
		}
	}
	if len(mixedRows) > 0 {
		mixed, err := SummaryTable(mixedRows, r.Peak)
		if err != nil {
			return "", err
		}
		vs, err := PrecisionTable(mixedRows, f32Rows)
		if err != nil {
			return "", err
		}
		p("## mixed_bfloat16\n\n")
		p("Both sides under Keras's mixed_bfloat16 policy: tfrun with `precision: mixed_bfloat16` (`tfrun-bench -precision`), ")
		p("Keras with `keras.mixed_precision.set_global_policy(\"mixed_bfloat16\")` (`--precision`), the last layer float32 on both. ")
		p("The columns are the summary's; %% of peak is over the bfloat16 peak")
		if f := r.Peak.GFLOPSFor(configs.PrecisionMixedBFloat16); f > 0 {
			p(", %s GFLOP/s", Figure(f))
		}
		p(". The FLOP count is the float32 graph's work (the same products).\n\n%s\n", mixed)
		p("Against float32: each side's median ex/s under mixed_bfloat16 over its median ex/s under float32 in this run.\n\n%s\n", vs)
	}
	if r.Peak != nil {
		p("## Peak\n\n")
		p("TensorFlow's own kernels on this machine through the same libtensorflow (bench/cmd/peak, before and after the rounds, each kernel's faster measurement; ")
		p("threads %s, TF_ENABLE_ONEDNN_OPTS %s; bfloat16 inputs are cast from float32 once, outside the timed runs):\n\n",
			threadsDesc(r.Peak.Threads), orDefault(r.Peak.OneDNN, "unset (TensorFlow's default)"))
		for _, l := range r.Peak.Lines() {
			p("- %s\n", l)
		}
		p("\n")
		if r.Peak.FMA != nil {
			p("The FMA units' rate is a loop of independent float32 fused multiply-adds in the widest vectors the CPU has, ")
			p("on as many threads at once as the line says (bench/fma): a float32 kernel in those vectors cannot run faster, ")
			p("so a kernel measured above it would be credited with work it does not do.\n\n")
		}
	}
	p("## Every round\n\n%s\n", RoundsTable(r.Rows))
	p("## Commands\n\n`make bench` builds bin/tfrun-bench, bin/bench-peak and bin/bench-compare, then runs\n\n    %s\n\nwhich runs ", r.Command)
	if r.PeakCommand != "" {
		p("before and after the rounds (OUT: a temporary JSON file),\n\n    %s\n\nand ", r.PeakCommand)
	}
	p("per model and round (OUT: a temporary JSON file):\n\n")
	for _, c := range r.Commands {
		p("    %s\n", c)
	}
	return b.String(), nil
}

// frameworks lists each side's self-description once.
func (r Report) frameworks() []string {
	var out []string
	seen := map[string]bool{}
	add := func(side string, runs []Run) {
		for _, x := range runs {
			s := side + ": " + x.Framework
			if x.Framework != "" && !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	for _, row := range r.Rows {
		add("tfrun side", row.Tfrun)
	}
	for _, row := range r.Rows {
		add("Keras side", row.Keras)
	}
	return out
}

func gib(n int64) string {
	if n <= 0 {
		return "unknown"
	}
	return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
}

func threadsDesc(n int) string {
	if n == 0 {
		return "TensorFlow's choice"
	}
	return fmt.Sprint(n)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
