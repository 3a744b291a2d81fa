package builders

import (
	"fmt"
	"runtime"
	"slices"
	"strings"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/graphs/lstmkernel"
)

// lstmChoice is the implementation an LSTM's Call chose by measuring, shared with the
// copies Bidirectional makes of the layer (LSTM.Form).
type lstmChoice struct{ form string }

// Form is the implementation the layer is built with: Implementation when set (by the
// config's implementation, or the run's choice before the build), else the one its Call
// chose by measuring; "" before the build or where Call keeps to the fixed rule.
func (l *LSTM) Form() string {
	if l.Implementation == "" && l.chosen != nil {
		return l.chosen.form
	}
	return l.Implementation
}

// implementation is the form Call builds on x: Form when set; otherwise, in a graph whose
// Autotune measures (graphs.Autotune.Measuring) on a CPU, the fastest of LSTMCandidates
// at the layer's shapes as graphs.Graph.Choose decides it (a resumed run's record, the
// cache, or a few training steps of each, forward and backward, timed in a scratch
// session); otherwise "" (Call's fixed rule: fused in float32, unrolled in another dtype).
func (l *LSTM) implementation(s *graphs.Scope, x tf.Output) string {
	if f := l.Form(); f != "" {
		return f
	}
	g := s.Graph()
	a := g.Autotune()
	if !a.Measuring() || g.Platform().GPU() {
		return ""
	}
	batch := int64(-1)
	if sh := x.Shape(); sh.NumDimensions() == 3 {
		batch = sh.Size(0)
	}
	if batch <= 0 {
		batch = int64(a.Batch)
	}
	if batch <= 0 {
		return ""
	}
	p := lstmProblem{dtype: s.DType(), batch: batch, steps: int64(l.steps), input: l.kernel.Shape[0],
		units: int64(l.Units), sequences: l.ReturnSequences, mixed: g.ComputeDType() == tf.Bfloat16 && s.DType() == tf.Float}
	forms := LSTMCandidates(p.dtype)
	if p.mixed {
		forms = LSTMMixedCandidates()
	}
	if !lstmSplitCandidate(batch, a.SessionOf(LSTMCellKernelSplit)) {
		forms = slices.DeleteFunc(forms, func(f string) bool {
			return strings.TrimSuffix(f, bfloat16Suffix) == LSTMCellKernelSplit
		})
	}
	form := forms[0]
	if len(forms) > 1 {
		form = g.Choose(p.key(), forms, lstmRule(int(batch), p.dtype, forms), func(form string) (graphs.Trial, error) {
			return p.trial(g, a.SessionOf(form), form)
		})
	}
	if l.chosen == nil {
		l.chosen = &lstmChoice{}
	}
	l.chosen.form = form
	return form
}

// LSTMCandidates are the implementations an LSTM computing in dtype may be built with:
// LSTMFused in float32 only (TensorFlow's BlockLSTMV2 CPU kernel), LSTMUnrolled always,
// LSTMCellKernel and LSTMCellKernelSplit in float32 and bfloat16 where tfrun's kernels
// are registered and lstmkernel.EnvVar does not turn them off (lstmkernel.Disabled).
// LSTMCellKernelSplit is timed only where lstmSplitCandidate holds. A masked LSTM has one
// form only (CallMasked: the unrolled cell carrying its state).
func LSTMCandidates(dtype tf.DataType) []string {
	var forms []string
	if dtype == tf.Float {
		forms = append(forms, LSTMFused)
	}
	forms = append(forms, LSTMUnrolled)
	if (dtype == tf.Float || dtype == tf.Bfloat16) && !lstmkernel.Disabled() && lstmkernel.Register() == nil {
		forms = append(forms, LSTMCellKernel, LSTMCellKernelSplit)
	}
	return forms
}

// lstmSplitMinRows is the fewest rows a half of the batch has for LSTMCellKernelSplit to
// be timed: below, each half's ops are too small for two chains to gain on one.
const lstmSplitMinRows = 16

// lstmSplitCandidate reports whether LSTMCellKernelSplit is worth timing for a batch run
// with opts's thread pools: two halves of lstmSplitMinRows rows or more, and two or more
// inter-op threads to run their chains side by side (0: TensorFlow's choice, one a core).
func lstmSplitCandidate(batch int64, opts graphs.SessionOptions) bool {
	inter := opts.InterOpThreads
	if inter == 0 {
		inter = runtime.NumCPU()
	}
	return batch >= 2*lstmSplitMinRows && inter >= 2
}

// lstmRule is the fixed rule's form among forms (the first timed): LSTMImplementationFor
// the batch size, LSTMImplementationWithKernels when lstmkernel.EnvVar turns tfrun's
// kernels on, the unrolled cell where the fused kernel is no candidate.
func lstmRule(batch int, dtype tf.DataType, forms []string) string {
	rule := LSTMImplementationFor(batch)
	if on, _ := lstmkernel.Enabled(); on {
		rule = LSTMImplementationWithKernels(batch)
	}
	for _, f := range forms {
		if f == rule {
			return rule
		}
	}
	return LSTMUnrolled
}

// lstmProblem is one LSTM layer as its training step sees it.
type lstmProblem struct {
	dtype                      tf.DataType
	batch, steps, input, units int64
	sequences                  bool
	// mixed: under mixed_bfloat16, where the forms computing in bfloat16 are candidates
	// too (lstmMixedCandidates).
	mixed bool
}

// key names the problem for graphs.Autotune: its dtype and shapes, and whether all
// steps' outputs are returned (their gradient then flows into every step). A
// Bidirectional's backward copy (go_backwards) is the same problem on a reversed input.
func (p lstmProblem) key() string {
	out := "last"
	if p.sequences {
		out = "sequences"
	}
	dtype := graphs.DTypeName(p.dtype)
	if p.mixed {
		dtype = "mixed_bfloat16"
	}
	return fmt.Sprintf("LSTM %s batch %d steps %d input %d units %d %s", dtype, p.batch, p.steps, p.input, p.units, out)
}

// lstmProbeSteps caps the time steps a form is timed on: every form's cost grows by the
// same amount per step, so a prefix of the sequence ranks them as the whole does, at a
// fraction of the cost (imdb_tuned's 200 steps: the probe takes about a fifth of the time).
const lstmProbeSteps = 40

// trial builds one form to be timed: the forward pass and the gradients of its outputs'
// sum for the input, kernel, recurrent kernel and bias, at the problem's shapes (at most
// lstmProbeSteps time steps).
func (p lstmProblem) trial(g *graphs.Graph, opts graphs.SessionOptions, form string) (graphs.Trial, error) {
	p.steps = min(p.steps, lstmProbeSteps)
	u4 := 4 * p.units
	shapes := [][]int64{{p.batch, p.steps, p.input}, {p.input, u4}, {p.units, u4}, {u4}}
	return g.ScratchTrial(opts, p.dtype, shapes, func(s *graphs.Scope, in []tf.Output) []tf.Output {
		h := lstmFormCall(s, form, in[0], in[1], in[2], in[3], int(p.steps), int(p.units), p.sequences)
		axes := []int32{0, 1}
		if p.sequences {
			axes = append(axes, 2)
		}
		loss := op.Sum(s.Op("Sum"), h, s.Const(axes))
		grads, err := s.Gradients(loss, in)
		if err != nil {
			s.Fail("timing LSTM form %s: %w", form, err)
			return nil
		}
		return grads
	})
}
