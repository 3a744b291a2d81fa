package builders

import (
	"math/rand/v2"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerLSTM, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		l := NewLSTM(name, c.Int("units"))
		l.UseBias, l.UnitForgetBias = c.Bool("use_bias"), c.Bool("unit_forget_bias")
		l.Dropout, l.ReturnSequences = c.Float("dropout"), c.Bool("return_sequences")
		l.Implementation = c.String("implementation")
		return l, nil
	})
}

// LSTM is Keras's LSTM with tanh and a sigmoid recurrent activation (the fused kernel's),
// zero initial state and no recurrent dropout: [batch, time, features] → [batch, units]
// (the last step's output; [batch, time, units] with ReturnSequences). Weights "kernel"
// [features, 4·units] (glorot_uniform), "recurrent_kernel" [units, 4·units] (orthogonal) and
// with UseBias "bias" [4·units] (zeros; with UnitForgetBias the forget gate's ones), gates
// in Keras's order i, f, c, o. Dropout drops that fraction of the input features in
// training, the same ones at every step (Keras's dropout, see rnnInputDropout).
//
// Implementation "fused" runs TensorFlow's BlockLSTMV2 kernel (backward:
// BlockLSTMGradV2; float32 only), "unrolled" a statically unrolled cell with a written-out
// backward pass (graphs.UnrolledLSTM), "cell_kernel" that cell with tfrun's own kernels for
// its element-wise part (LSTMCellKernel), "cell_kernel_split" that on each half of the
// batch (LSTMCellKernelSplit). "" chooses: in a graph that measures its kernels
// (graphs.Autotune), the fastest at the layer's shapes on the machine at hand (see
// implementation); otherwise fused in float32, unrolled in another dtype. The fused kernel
// was faster at small batches on an AMD Zen 3, the unrolled cell at large ones (see
// LSTMImplementationFor). The config's implementation sets it.
type LSTM struct {
	base
	Units           int
	ReturnSequences bool
	UseBias         bool
	UnitForgetBias  bool
	Dropout         float64
	Implementation  string
	// zeroOutputForMask is Keras's zero_output_for_mask, which Bidirectional sets when it
	// returns sequences: masked steps output zeros, not the carried state.
	zeroOutputForMask bool
	// chosen is the form Call measured, shared by Bidirectional's copies (Form).
	chosen *lstmChoice

	steps                   int
	kernel, recurrent, bias *graphs.Variable
}

// NewLSTM returns an LSTM layer with Keras's defaults (bias, unit_forget_bias, no dropout).
func NewLSTM(name string, units int) *LSTM {
	return &LSTM{base: base{name: name}, Units: units, UseBias: true, UnitForgetBias: true, chosen: &lstmChoice{}}
}

func (l *LSTM) Type() string { return "LSTM" }

func (l *LSTM) Build(s *graphs.Scope, in Shape) (Shape, error) {
	if len(in) != 2 || in[0] <= 0 {
		return nil, shapeError(l, in, "(None, timesteps, features) with a fixed number of timesteps")
	}
	l.begin(s)
	l.steps = in[0]
	u := int64(l.Units)
	l.kernel = l.variable("kernel", []int64{int64(in[1]), 4 * u}, graphs.GlorotUniform{}, true)
	l.recurrent = l.variable("recurrent_kernel", []int64{u, 4 * u}, graphs.Orthogonal{Gain: 1}, true)
	if l.UseBias {
		var init graphs.Initializer = graphs.Zeros{}
		if l.UnitForgetBias {
			init = unitForgetBias{units: l.Units}
		}
		l.bias = l.variable("bias", []int64{4 * u}, init, true)
	}
	if l.ReturnSequences {
		return Shape{in[0], l.Units}, nil
	}
	return Shape{l.Units}, nil
}

func (l *LSTM) Call(x tf.Output, training bool) tf.Output {
	s := l.scope
	form := l.implementation(s, x)
	if !checkLSTMFormPolicy(s, form) {
		return tf.Output{}
	}
	var b tf.Output
	if l.UseBias {
		b = l.bias.Value()
	} else { // the kernels take a bias: zeros
		b = op.Fill(s.Op("Fill"), s.Const([]int32{4 * int32(l.Units)}), s.Scalar(0))
	}
	x = rnnInputDropout(s, x, l.Dropout, training)
	return lstmFormCall(s, form, x, l.kernel.Value(), l.recurrent.Value(), b, l.steps, l.Units, l.ReturnSequences)
}

// lstmForm is the LSTM's math in implementation form ("": fused in float32, unrolled
// otherwise; LSTMFused too is unrolled outside float32, where BlockLSTMV2 has no CPU
// kernel).
func lstmForm(s *graphs.Scope, form string, x, kernel, recurrent, b tf.Output, steps, units int, sequences bool) tf.Output {
	switch form {
	case LSTMCellKernel:
		return lstmKernelOp(s, x, kernel, recurrent, b, steps, units, sequences)
	case LSTMCellKernelSplit:
		return lstmKernelSplitOp(s, x, kernel, recurrent, b, steps, units, sequences)
	}
	fused := s.DType() == tf.Float && form != LSTMUnrolled
	return lstmOp(s, x, kernel, recurrent, b, steps, units, sequences, fused)
}

// CallMasked is Call with a mask on x: a statically unrolled cell carrying its state over
// the masked steps (lstmMaskedOp; the fused kernels take no mask), returning the last
// unmasked step's output. Without a mask it is Call.
func (l *LSTM) CallMasked(xs, masks []tf.Output, training bool) (tf.Output, tf.Output) {
	mask := firstMask(masks)
	if mask.Op == nil {
		return l.Call(xs[0], training), tf.Output{}
	}
	s := l.scope
	var b tf.Output
	if l.UseBias {
		b = s.Read(l.bias)
	}
	x := rnnInputDropout(s, xs[0], l.Dropout, training)
	in := Shape{l.steps, int(l.kernel.Shape[0])}
	out := lstmMaskedOp(s, x, s.Read(l.kernel), s.Read(l.recurrent), b, mask, in, l.Units, l.ReturnSequences, l.zeroOutputForMask)
	return out, rnnOutputMask(mask, l.ReturnSequences)
}

// The LSTM implementations.
const (
	LSTMFused    = "fused"
	LSTMUnrolled = "unrolled"
)

// LSTMFusedMaxBatch is the largest batch size for which LSTMImplementationFor picks the
// fused kernel. Measured on a 2-core AMD EPYC (Zen 3, AVX2), imdb_tuned's training step
// (200 steps, 64 units) with one intra-op thread, CPU time: at batch 32 fused 49–50 ms,
// unrolled 61–66 ms; at batch 512 fused 567–688 ms, unrolled 513–557 ms.
const LSTMFusedMaxBatch = 128

// LSTMImplementationFor picks the faster LSTM implementation for a training batch size.
func LSTMImplementationFor(batchSize int) string {
	if batchSize > LSTMFusedMaxBatch {
		return LSTMUnrolled
	}
	return LSTMFused
}

// lstmOp is the LSTM layer's math on tensors (batch-major in and out).
func lstmOp(s *graphs.Scope, x, kernel, recurrent, bias tf.Output, steps, units int, sequences, fused bool) tf.Output {
	tm := op.Transpose(s.Op("Transpose"), x, s.Const([]int32{1, 0, 2}))
	w := op.ConcatV2(s.Op("ConcatV2"), []tf.Output{kernel, recurrent}, s.Const(int32(0)))
	var h tf.Output
	if fused {
		h = s.BlockLSTM(tm, w, bias, units)
	} else {
		h = s.UnrolledLSTM(tm, w, bias, steps, units)
	}
	if sequences {
		return op.Transpose(s.Op("Transpose"), h, s.Const([]int32{1, 0, 2}))
	}
	return op.GatherV2(s.Op("GatherV2"), h, s.Const(int32(steps-1)), s.Const(int32(0)))
}

// unitForgetBias is Keras's LSTM bias initializer with unit_forget_bias: zeros, except
// ones for the forget gate (the second quarter).
type unitForgetBias struct{ units int }

func (u unitForgetBias) Values(shape []int64, _ *rand.Rand) ([]float64, error) {
	out := make([]float64, 4*u.units)
	for i := u.units; i < 2*u.units; i++ {
		out[i] = 1
	}
	return out, nil
}
