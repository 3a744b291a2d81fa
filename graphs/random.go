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
