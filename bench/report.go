package bench

import (
	"fmt"
	"strings"
	"time"
)

// Machine describes where a benchmark ran.
type Machine struct {
	CPU      string // /proc/cpuinfo's model name
	NProc    int    // CPUs available to the processes
	MemBytes int64  // /proc/meminfo's MemTotal
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
}

// Markdown renders results.md.
func (r Report) Markdown() (string, error) {
	summary, err := SummaryTable(r.Rows)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# tfrun vs Keras: training throughput\n\n")
	p("Written by `make bench` (bench/cmd/compare) on %s.\n\n", r.Date.UTC().Format("2006-01-02 15:04 MST"))
	p("- Machine: %s, nproc %d, %s RAM; CPU-only TensorFlow on both sides\n", orUnknown(r.Machine.CPU)+" CPU", r.Machine.NProc, gib(r.Machine.MemBytes))
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
	p("## Summary\n\n%s\n", summary)
	p("ex/s: training examples per second over the timed steps (warm-up steps excluded), median over the rounds. ")
	p("tfrun/Keras: the median of the per-round ratios, with their min–max. ")
	p("First step: from just before the model is constructed to the end of the first training step ")
	p("(graph building or tracing, variable initialisation, one step), median; process start-up and imports are not included ")
	p("(the per-round table shows each whole process). Peak RSS: getrusage ru_maxrss of each process, the largest over the rounds. ")
	p("Both sides train the same number of parameters (checked every round) on random inputs of the real shapes from a fixed seed.\n\n")
	for _, row := range r.Rows {
		if row.TfrunPending != "" {
			p("%s: %s.\n\n", row.Model.Name, strings.TrimSuffix(row.TfrunPending, "."))
		}
	}
	p("## Every round\n\n%s\n", RoundsTable(r.Rows))
	p("## Commands\n\n`make bench` builds bin/tfrun-bench and bin/bench-compare, then runs\n\n    %s\n\nwhich runs, per model and round (OUT: a temporary JSON file):\n\n", r.Command)
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

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
