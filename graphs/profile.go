package graphs

import (
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"github.com/wamuir/graft/tensorflow/core/framework/step_stats_go_proto"
)

// OpTime is the time of one op (or of all ops of one type) over the profiled steps, as
// TensorFlow's step statistics report it, with the FLOPs graphs.CountFLOPs credits it with.
type OpTime struct {
	Name  string // the op's name in the executed graph ("" for a row of a whole type)
	Type  string // its type ("Conv2D", "FusedBatchNormV3", ...)
	Runs  int    // executions over the profiled steps
	Nanos int64  // time between the op's start and its end, summed over its executions
	FLOPs int64  // counted FLOPs per execution (0: not a counted op), summed over a type's ops
}

// Profile is TensorFlow's step statistics of a few training steps, op by op.
type Profile struct {
	Steps     int      // profiled steps
	WallNanos int64    // the runs' spans (first op's start to last op's end), summed
	Ops       []OpTime // every op executed, the slowest first
	Unmatched int64    // counted FLOPs of a step no executed op was found for
	// UnmatchedOps name the counted ops behind Unmatched, sorted.
	UnmatchedOps []string
}

// NewProfile gathers the step statistics of the runs of steps training steps (every
// Session.Run they made, Session.Trace); counted are one step's counted FLOPs
// by op name (FLOPs.ByOp). An op's time is its kernel's: op_start to op_end.
// Ops TensorFlow's executor runs but the graph does not have (_SOURCE, _arg_, _retval_)
// are kept under their own names.
func NewProfile(runs []*step_stats_go_proto.StepStats, steps int, counted FLOPs) Profile {
	p := Profile{Steps: steps}
	flopsByOp := counted.ByOp
	fused := fusedNames(runs, counted)
	byName := map[string]*OpTime{}
	for _, st := range runs {
		var first, last int64
		for _, dev := range st.GetDevStats() {
			for _, n := range dev.GetNodeStats() {
				start := n.GetAllStartNanos()
				if start == 0 {
					start = n.GetAllStartMicros() * 1000
				}
				end := start + nanos(n.GetAllEndRelNanos(), n.GetAllEndRelMicros())
				if first == 0 || start < first {
					first = start
				}
				last = max(last, end)
				op := byName[n.GetNodeName()]
				if op == nil {
					op = &OpTime{Name: n.GetNodeName(), Type: opType(n.GetTimelineLabel()), FLOPs: flopsByOp[fused.of(n.GetNodeName())]}
					byName[n.GetNodeName()] = op
				}
				op.Runs++
				op.Nanos += nanos(n.GetOpEndRelNanos(), n.GetOpEndRelMicros()) - nanos(n.GetOpStartRelNanos(), n.GetOpStartRelMicros())
			}
		}
		p.WallNanos += last - first
	}
	for name, f := range flopsByOp {
		if byName[fused.in(name)] == nil {
			p.Unmatched += f
			p.UnmatchedOps = append(p.UnmatchedOps, name)
		}
	}
	sort.Strings(p.UnmatchedOps)
	for _, op := range byName {
		p.Ops = append(p.Ops, *op)
	}
	sort.Slice(p.Ops, func(i, j int) bool {
		if p.Ops[i].Nanos != p.Ops[j].Nanos {
			return p.Ops[i].Nanos > p.Ops[j].Nanos
		}
		return p.Ops[i].Name < p.Ops[j].Name
	})
	return p
}

// fusion maps the counted ops grappler fused into another op (a Conv2D into the
// _FusedConv2D named after the LeakyRelu it absorbed) to the fused op's name, and back.
type fusion struct{ into, from map[string]string }

// of is the counted op an executed op stands for: itself unless it is a fused one.
func (f fusion) of(executed string) string {
	if c, ok := f.from[executed]; ok {
		return c
	}
	return executed
}

// in is the executed op a counted op ran in: itself unless grappler fused it.
func (f fusion) in(counted string) string {
	if e, ok := f.into[counted]; ok {
		return e
	}
	return counted
}

// fusedNames finds, for each executed op of a fused type (_FusedConv2D, _FusedMatMul,
// oneDNN's _MklNativeFusedConv2D)
// whose name no counted op has, the counted op it was made of: the one whose data inputs
// are the first of its inputs (from its timeline label "name = Type(in, in, ...)").
func fusedNames(runs []*step_stats_go_proto.StepStats, counted FLOPs) fusion {
	f := fusion{into: map[string]string{}, from: map[string]string{}}
	byInputs := map[string]string{}
	for name, ins := range counted.Inputs {

		byInputs[strings.Join(normalInputs(ins), ",")] = name
	}
	for _, st := range runs {
		for _, dev := range st.GetDevStats() {
			for _, n := range dev.GetNodeStats() {
				name, label := n.GetNodeName(), n.GetTimelineLabel()
				if _, ok := counted.ByOp[name]; ok || !strings.Contains(opType(label), "Fused") {
					continue
				}
				_, args, _ := strings.Cut(label, "(")
				args = strings.TrimSuffix(args, ")")
				ins := normalInputs(strings.Split(args, ", "))

				for k := len(ins); k >= 2; k-- {
					if c, ok := byInputs[strings.Join(ins[:k], ",")]; ok {
						f.into[c], f.from[name] = name, c
						break
					}
				}
			}
		}
	}
	return f
}

// fedArg is the name TensorFlow's executor gives a fed tensor: _arg_<op>_<index>_<n>.
var fedArg = regexp.MustCompile(`^_arg_(.+)_(\d+)_\d+$`)

// normalInputs names inputs as a NodeDef does: first outputs without ":0", fed tensors
// by the op fed rather than the executor's _arg_ node.
func normalInputs(ins []string) []string {
	out := make([]string, len(ins))
	for i, in := range ins {
		in = strings.TrimSpace(in)
		if m := fedArg.FindStringSubmatch(in); m != nil {
			in = m[1] + ":" + m[2]
		}
		out[i] = strings.TrimSuffix(in, ":0")
	}
	return out
}

// nanos is a time the step statistics give in nanoseconds, or in microseconds when the
// nanosecond field is not filled.
func nanos(ns, us int64) int64 {
	if ns != 0 {
		return ns
	}
	return us * 1000
}

// opType is the type in a timeline label "name = Type(inputs)"; "" if there is none.
func opType(label string) string {
	_, rest, ok := strings.Cut(label, " = ")
	if !ok {
		return ""
	}
	t, _, _ := strings.Cut(rest, "(")
	return t
}

// overlapRatio is how far the ops' summed time may exceed the runs' spans before Write
// says that ops ran side by side (a run's small ops may overlap a little even with one
// inter-op thread: they run inline).
const overlapRatio = 1.1

// OpNanos is the ops' time summed (more than WallNanos when ops ran side by side).
func (p Profile) OpNanos() int64 {
	var t int64
	for _, op := range p.Ops {
		t += op.Nanos
	}
	return t
}

// ByType sums the ops of each type, the slowest type first; an executed op counts its
// FLOPs once per execution.
func (p Profile) ByType() []OpTime {
	byType := map[string]*OpTime{}
	for _, op := range p.Ops {
		t := byType[op.Type]
		if t == nil {
			t = &OpTime{Type: op.Type}
			byType[op.Type] = t
		}
		t.Runs += op.Runs
		t.Nanos += op.Nanos
		t.FLOPs += op.FLOPs * int64(op.Runs)
	}
	out := make([]OpTime, 0, len(byType))
	for _, t := range byType {
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Nanos != out[j].Nanos {
			return out[i].Nanos > out[j].Nanos
		}
		return out[i].Type < out[j].Type
	})
	return out
}

// Write prints the profile as Markdown: a summary, the op types and the top slowest ops,
// times per step, shares of the ops' summed time, GFLOP/s of the counted ops.
func (p Profile) Write(w io.Writer, top int) error {
	steps := float64(max(p.Steps, 1))
	opNanos := p.OpNanos()
	var countedNanos, flops int64
	for _, op := range p.Ops {
		if op.FLOPs > 0 {
			countedNanos += op.Nanos
			flops += op.FLOPs * int64(op.Runs)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d steps traced: %.1f ms a step from first op to last (the runs' spans), %.1f ms of op time a step (ops side by side counted twice)\n\n",
		p.Steps, float64(p.WallNanos)/steps/1e6, float64(opNanos)/steps/1e6)
	fmt.Fprintf(&b, "- ops with counted FLOPs: %.1f%% of op time, %.1f GFLOP/s inside them\n", pct(countedNanos, opNanos), gflops(flops, countedNanos))
	fmt.Fprintf(&b, "- all other ops: %.1f%% of op time\n", pct(opNanos-countedNanos, opNanos))
	fmt.Fprintf(&b, "- counted FLOPs over the runs' spans: %.1f GFLOP/s\n", gflops(flops, p.WallNanos))
	if float64(opNanos) > overlapRatio*float64(p.WallNanos) {
		fmt.Fprintf(&b, "- ops ran side by side (op time %.2f× the spans): an op's time includes the cores it shared, so its GFLOP/s is understated; run one op at a time (TF_NUM_INTEROP_THREADS=1, or a GAN's inter_op_1 thread layout) for each op's own time\n",
			float64(opNanos)/float64(p.WallNanos))
	}
	if p.Unmatched > 0 {
		fmt.Fprintf(&b, "- %d counted FLOPs a step belong to ops the statistics do not name (renamed or fused by grappler): %s\n",
			p.Unmatched, strings.Join(p.UnmatchedOps, ", "))
	}
	fmt.Fprintf(&b, "\n| op type | runs/step | ms/step | %% of op time | GFLOP/step | GFLOP/s |\n|---|--:|--:|--:|--:|--:|\n")
	for _, t := range p.ByType() {
		fmt.Fprintf(&b, "| %s | %.0f | %.2f | %.1f%% | %s | %s |\n", t.Type, float64(t.Runs)/steps, float64(t.Nanos)/steps/1e6,
			pct(t.Nanos, opNanos), flopCell(float64(t.FLOPs)/steps/1e9), rateCell(t.FLOPs, t.Nanos))
	}
	fmt.Fprintf(&b, "\n| op | type | ms/step | %% of op time | GFLOP/step | GFLOP/s |\n|---|---|--:|--:|--:|--:|\n")
	for i, op := range p.Ops {
		if i == top {
			break
		}
		fmt.Fprintf(&b, "| %s | %s | %.2f | %.1f%% | %s | %s |\n", op.Name, op.Type, float64(op.Nanos)/steps/1e6,
			pct(op.Nanos, opNanos), flopCell(float64(op.FLOPs*int64(op.Runs))/steps/1e9), rateCell(op.FLOPs*int64(op.Runs), op.Nanos))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func pct(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

func gflops(flops, nanos int64) float64 {
	if nanos == 0 {
		return 0
	}
	return float64(flops) / float64(nanos)
}

func flopCell(g float64) string {
	if g == 0 {
		return ""
	}
	return fmt.Sprintf("%.3f", g)
}

func rateCell(flops, nanos int64) string {
	if flops == 0 {
		return ""
	}
	return fmt.Sprintf("%.1f", gflops(flops, nanos))
}
