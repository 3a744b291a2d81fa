package builders

import (
	"strings"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/graphs"
)

// The bfloat16 forms of the unrolled LSTM, for the mixed_bfloat16 policy. An LSTM is in
// float32Layers (it computes in float32 under a mixed policy, its variables' type); these
// forms instead compute the cell in bfloat16, as Keras's LSTM does under mixed_bfloat16:
// the input and the weights cast down, the matrix products and the cell in bfloat16, the
// output cast back up to float32. They are candidates where bfloat16 may be faster (a CPU
// with AMX or AVX512_BF16), chosen by measuring like the other forms, never by a fixed rule.
const (
	LSTMUnrolledBFloat16        = LSTMUnrolled + bfloat16Suffix
	LSTMCellKernelBFloat16      = LSTMCellKernel + bfloat16Suffix
	LSTMCellKernelSplitBFloat16 = LSTMCellKernelSplit + bfloat16Suffix
)

// bfloat16Suffix marks a form computing in bfloat16.
const bfloat16Suffix = "_bfloat16"

// LSTMForms are every LSTM implementation's name, the values a config's implementation and
// a checkpoint's kernel forms may take.
func LSTMForms() []string {
	return []string{LSTMFused, LSTMUnrolled, LSTMCellKernel, LSTMCellKernelSplit,
		LSTMUnrolledBFloat16, LSTMCellKernelBFloat16, LSTMCellKernelSplitBFloat16}
}

// LSTMBFloat16Form reports whether form computes in bfloat16 (precision mixed_bfloat16
// only).
func LSTMBFloat16Form(form string) bool { return strings.HasSuffix(form, bfloat16Suffix) }

// LSTMUnrolledForm reports whether form unrolls the cell over the time steps (with
// TensorFlow's ops or tfrun's cell kernels, in either type): a graph of many small ops.
func LSTMUnrolledForm(form string) bool {
	base := strings.TrimSuffix(form, bfloat16Suffix)
	return base == LSTMUnrolled || base == LSTMCellKernel || base == LSTMCellKernelSplit
}

// lstmFormCall is lstmForm on inputs of s's type. A bfloat16 form (LSTMBFloat16Form) casts
// x and the weights down to bfloat16, computes there and casts h back to s's type (the
// casts' gradients bring the weights' gradients back to float32).
func lstmFormCall(s *graphs.Scope, form string, x, kernel, recurrent, b tf.Output, steps, units int, sequences bool) tf.Output {
	if !LSTMBFloat16Form(form) {
		return lstmForm(s, form, x, kernel, recurrent, b, steps, units, sequences)
	}
	bs := s.WithDType(tf.Bfloat16)
	down := func(t tf.Output) tf.Output { return bs.CastTo(t, tf.Bfloat16) }
	h := lstmForm(bs, strings.TrimSuffix(form, bfloat16Suffix), down(x), down(kernel), down(recurrent), down(b), steps, units, sequences)
	return s.CastTo(h, s.DType())
}

// LSTMMixedCandidates are the forms an LSTM under mixed_bfloat16 is measured among: the
// float32 ones (LSTMCandidates) and the unrolled ones computing in bfloat16.
func LSTMMixedCandidates() []string {
	forms := LSTMCandidates(tf.Float)
	for _, f := range LSTMCandidates(tf.Bfloat16) {
		if LSTMUnrolledForm(f) {
			forms = append(forms, f+bfloat16Suffix)
		}
	}
	return forms
}

// checkLSTMFormPolicy fails s when form computes in bfloat16 and s's graph is not under
// mixed_bfloat16 (a config's implementation, or a checkpoint's record under another
// precision).
func checkLSTMFormPolicy(s *graphs.Scope, form string) bool {
	if !LSTMBFloat16Form(form) || s.Graph().ComputeDType() == tf.Bfloat16 {
		return true
	}
	s.Fail("%s: implementation %q computes in bfloat16: it needs precision mixed_bfloat16 (valid under float32: %q, %q, %q, %q)",
		s.Path(), form, LSTMFused, LSTMUnrolled, LSTMCellKernel, LSTMCellKernelSplit)
	return false
}
