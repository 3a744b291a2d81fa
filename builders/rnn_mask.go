package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
)

// Masked recurrent layers, as Keras's RNN loop with a mask (keras/src/backend/tensorflow/
// rnn.py): at a masked step the state is carried over unchanged and the output is the
// previous step's (zeros before the first unmasked step), or zeros with
// zero_output_for_mask (what Bidirectional sets when it returns sequences). The last
// output is therefore the last unmasked step's. The output's mask is the input's with
// return_sequences, none otherwise (RNN.compute_mask).

// rnnStepMasks splits mask [batch, steps] into one [batch, 1] per step, in processing
// order (reversed when backwards); nil for a zero mask.
func rnnStepMasks(s *graphs.Scope, mask tf.Output, steps int, backwards bool) []tf.Output {
	if mask.Op == nil {
		return nil
	}
	m := op.ExpandDims(s.Op("ExpandDims"), mask, s.Const(int32(-1)))
	ms := op.Unpack(s.Op("Unpack"), m, int64(steps), op.UnpackAxis(1))
	if backwards {
		for i, j := 0, len(ms)-1; i < j; i, j = i+1, j-1 {
			ms[i], ms[j] = ms[j], ms[i]
		}
	}
	return ms
}

// carry is next where the step mask m [batch, 1] is true, prev elsewhere.
func carry(s *graphs.Scope, m, next, prev tf.Output) tf.Output {
	return rawOp(s, "SelectV2", m, next, prev)
}

// maskedOutput is a masked step's output: the new state h where m is true, else zeros
// (zeroOutput) or the carried state carried.
func maskedOutput(s *graphs.Scope, m, h, carried tf.Output, zeroOutput bool) tf.Output {
	if !zeroOutput {
		return carried
	}
	return rawOp(s, "SelectV2", m, h, op.ZerosLike(s.Op("ZerosLike"), h))
}

// rnnOutputMask is a recurrent layer's output mask: mask with sequences, else none.
func rnnOutputMask(mask tf.Output, sequences bool) tf.Output {
	if sequences {
		return mask
	}
	return tf.Output{}
}

// lstmMaskedOp is the LSTM's math with a mask, a statically unrolled Keras cell (z = x_t·kernel
// + h·recurrent_kernel + bias, gates i, f, c, o) whose state is carried over masked steps;
// TensorFlow's registry differentiates it. (The fused kernel and graphs.UnrolledLSTM take
// no mask.)
func lstmMaskedOp(s *graphs.Scope, x, kernel, recurrent, bias, mask tf.Output, in Shape, units int, sequences, zeroOutput bool) tf.Output {
	xs := rnnProject(s, x, kernel, bias, in, 4*units, false)
	ms := rnnStepMasks(s, mask, in[0], false)
	h := rnnZeroState(s, x, units)
	c := h
	outs := make([]tf.Output, len(xs))
	for t, xt := range xs {
		cs := s.Sub("step")
		z := op.AddV2(cs.Op("AddV2"), xt, op.MatMul(cs.Op("MatMul"), h, recurrent))
		g := op.Split(cs.Op("Split"), cs.Const(int32(1)), z, 4)
		i := op.Sigmoid(cs.Op("Sigmoid"), g[0])
		f := op.Sigmoid(cs.Op("Sigmoid"), g[1])
		cc := op.Tanh(cs.Op("Tanh"), g[2])
		o := op.Sigmoid(cs.Op("Sigmoid"), g[3])
		cNew := op.AddV2(cs.Op("AddV2"), op.Mul(cs.Op("Mul"), f, c), op.Mul(cs.Op("Mul"), i, cc))
		hNew := op.Mul(cs.Op("Mul"), o, op.Tanh(cs.Op("Tanh"), cNew))
		c = carry(cs, ms[t], cNew, c)
		h = carry(cs, ms[t], hNew, h)
		outs[t] = maskedOutput(cs, ms[t], hNew, h, zeroOutput)
	}
	return rnnOutput(s, outs, sequences)
}
