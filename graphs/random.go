package graphs

import (
	"hash/fnv"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// StepCounter is the graph's training-step counter (int64 variable "step"), created on
// first use. Random ops (dropout masks, GAN noise) draw from stateless Philox streams keyed
// by the graph seed and the op, with the counter as the stream position: a run restored
// from a checkpoint at step N draws exactly what the uninterrupted run drew at step N.
func (g *Graph) StepCounter() *Variable {
	if g.step == nil {
		g.step = g.Root().NewVariable("step", tf.Int64, nil, Zeros{}, false)
	}
	return g.step
}

// AdvanceStep returns an op that increments the step counter once all of after have run
// and the counter has been read for this run.
func (s *Scope) AdvanceStep(after ...*tf.Operation) *tf.Operation {
	st := s.g.StepCounter()
	as := s.WithControlDependencies(append(after, st.value.Op)...)
	return op.AssignAddVariableOp(as.Op("AssignAddVariableOp"), st.handle, as.Const(int64(1)))
}

// RandomUniform draws values uniform in [0, 1) of the scope's dtype with the given shape
// (an int32 or int64 vector whose first element is the batch: the draws are per example),
// from a stateless stream (see StepCounter). Each call site is its own stream: the key
// hashes the graph seed with the op's name. On a replica of a cluster (SetReplica) the
// whole global batch is drawn and the replica's rows are kept, so each row gets what it
// gets in a one-process run. The values are drawn in the graph's DType and cast to the
// scope's (a bfloat16 layer under a mixed policy), so a mixed run draws the float32 run's
// numbers, rounded.
func (s *Scope) RandomUniform(shape tf.Output) tf.Output {
	key, counter := s.streamState()
	return s.CastTo(s.globalDraw(shape, func(shape tf.Output) tf.Output {
		return op.StatelessRandomUniformV2(s.Op("StatelessRandomUniformV2"), shape, key, counter, s.Const(int32(1)),
			op.StatelessRandomUniformV2Dtype(s.g.dtype))
	}), s.dtype)
}

// OpDropoutMask is the op type of tfrun's own Dropout mask kernel (package
// graphs/dropoutkernel registers it with TensorFlow).
const OpDropoutMask = "TfrunDropoutMask"

// KeepMask is [u ≥ rate]/(1−rate) in the scope's dtype, for uniform draws u of that dtype:
// the mask Dropout multiplies by, each value 0 or the scale.
func (s *Scope) KeepMask(u tf.Output, rate float64) tf.Output {
	keep := op.Cast(s.Op("Cast"), op.GreaterEqual(s.Op("GreaterEqual"), u, s.Scalar(rate)), s.dtype)
	return op.Mul(s.Op("Mul"), keep, s.Scalar(1/(1-rate)))
}

// DropoutMask is KeepMask of RandomUniform(shape): Dropout's mask over a tensor of that
// shape. With ownKernel (the caller has registered package graphs/dropoutkernel), in a
// float32 graph, for a float32 or bfloat16 scope on a CPU, it is one TfrunDropoutMask op,
// which makes the same values bit for bit, the draws included, in one vectorized pass:
// TensorFlow's StatelessRandomUniformV2 computes the Philox rounds one block at a time and
// took 10.8–12.4 ms of imdb_tuned's training step for its [512, 200, 64] mask (AMD EPYC
// Zen 5, tfrun-bench -profile), ahead of the LSTM on the step's critical path. Elsewhere
// (a float64 graph, float16, a GPU) it is TensorFlow's ops.
func (s *Scope) DropoutMask(shape tf.Output, rate float64, ownKernel bool) tf.Output {
	if !ownKernel || s.g.dtype != tf.Float || (s.dtype != tf.Float && s.dtype != tf.Bfloat16) || s.g.platform.GPU() {
		return s.KeepMask(s.RandomUniform(shape), rate)
	}
	key, counter := s.streamState()
	return s.globalDraw(shape, func(shape tf.Output) tf.Output {
		shape32 := op.Cast(s.Op("Cast"), shape, tf.Int32)
		mask := s.Op(OpDropoutMask).AddOperation(tf.OpSpec{Type: OpDropoutMask,
			Input: []tf.Input{shape32, key, counter, s.Scalar(rate), s.Scalar(1 / (1 - rate))}})
		if !s.Ok() {
			return tf.Output{}
		}
		// The mask has no gradient; StopGradient tells TF_AddGradients, which would
		// otherwise fail on an op its registry does not know (see CustomGradient).
		return op.Reshape(s.Op("Reshape"), op.StopGradient(s.Op("StopGradient"), mask.Output(0)), shape)
	})
}

// RandomNormal draws standard normal values of the scope's dtype (see RandomUniform).
func (s *Scope) RandomNormal(shape tf.Output) tf.Output {
	key, counter := s.streamState()
	return s.CastTo(s.globalDraw(shape, func(shape tf.Output) tf.Output {
		return op.StatelessRandomNormalV2(s.Op("StatelessRandomNormalV2"), shape, key, counter, s.Const(int32(1)),
			op.StatelessRandomNormalV2Dtype(s.g.dtype))
	}), s.dtype)
}

// streamState returns a Philox key unique to this call site and the counter [0, step].
func (s *Scope) streamState() (key, counter tf.Output) {
	h := fnv.New64a()
	var b [8]byte
	for i := range b {
		b[i] = byte(s.g.seed >> (8 * i))
	}
	h.Write(b[:])
	h.Write([]byte(s.path))
	s.g.streams++
	for i := range b {
		b[i] = byte(uint64(s.g.streams) >> (8 * i))
	}
	h.Write(b[:])
	key = s.Const([]uint64{h.Sum64()})
	// The step goes in the counter's high 64 bits. Philox advances the low bits by one
	// block per 4 values drawn, so a step in the low bits would make step s+1's stream
	// step s's shifted by 4 values; in the high bits the steps' streams are 2⁶⁴ blocks
	// apart and never meet.
	step := op.Cast(s.Op("Cast"), s.g.StepCounter().value, tf.Uint64)
	counter = op.Pack(s.Op("Pack"), []tf.Output{s.Const(uint64(0)), step})
	return key, counter
}
