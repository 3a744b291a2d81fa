package distributed

import (
	"time"

	"github.com/tfrun/tfrun/graphs"
	tf "github.com/wamuir/graft/tensorflow"
	types "github.com/wamuir/graft/tensorflow/core/framework/types_go_proto"
	"github.com/wamuir/graft/tensorflow/op"
)

// GroupKey is the collective group key of a tfrun cluster: one group, every replica.
const GroupKey = 1

// DefaultTimeout bounds each collective (CollectiveReduce's timeout_seconds): a replica
// that has not joined within it (dead, unreachable, never started) fails the step on the
// others ("Collective has timed out waiting for other workers" or "... during execution")
// instead of hanging them. It also bounds how long a replica that reached the all-reduce
// waits for a slower one, so it must exceed the replicas' largest honest skew (the first
// step builds and optimises the graph).
const DefaultTimeout = 60 * time.Second

// AllReduce emits the collective ops of one graph. Every replica builds the same graph, so
// the n-th reduced tensor gets the same instance key everywhere (keys are handed out in
// build order): build the reductions in the same order on every replica, and use one
// AllReduce per graph.
type AllReduce struct {
	size    int
	device  string
	timeout time.Duration
	next    int // the next instance key
}

// NewAllReduce returns the all-reduce for c's group (every replica, [GroupKey]), run on
// this task's CPU with the given per-collective timeout (0: [DefaultTimeout]).
func NewAllReduce(c *Cluster, timeout time.Duration) *AllReduce {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &AllReduce{size: c.NumReplicas(), device: c.Task.CPU(), timeout: timeout, next: 1}
}

// GroupSize is the number of replicas reduced over.
func (a *AllReduce) GroupSize() int { return a.size }

// InstanceKeys is how many instance keys have been handed out so far: the number of
// tensors reduced.
func (a *AllReduce) InstanceKeys() int { return a.next - 1 }

// Mean averages each of xs across the group: every replica gets Σ x / N (merge Add, final
// Div), each tensor its own instance key. Shapes and dtypes are unchanged. With one replica
// the tensors come back as they are.
func (a *AllReduce) Mean(s *graphs.Scope, xs ...tf.Output) []tf.Output {
	return a.reduce(s, "Div", xs)
}

// MeanPacked averages xs like Mean, but as one collective: the tensors are flattened and
// concatenated, reduced together under one instance key, and split back into their
// shapes (the packing of TensorFlow's CommunicationOptions.bytes_per_pack, with one pack).
// Every tensor must have the same dtype. Fewer, larger collectives cost less per byte
// than many small ones (BenchmarkAllReduceProcesses compares both on a model's gradients),
// for the price of a copy into the pack and out of it.
func (a *AllReduce) MeanPacked(s *graphs.Scope, xs ...tf.Output) []tf.Output {
	if !s.Ok(xs...) {
		return make([]tf.Output, len(xs))
	}
	if a.size == 1 || len(xs) < 2 {
		return a.Mean(s, xs...)
	}
	dtype := xs[0].DataType()
	flat := make([]tf.Output, len(xs))
	sizes := make([]tf.Output, len(xs))
	for i, x := range xs {
		if x.DataType() != dtype {
			s.Fail("distributed: packed all-reduce: %s is %v, %s is %v: one dtype per pack",
				xs[0].Op.Name(), types.DataType(dtype), x.Op.Name(), types.DataType(x.DataType()))
			return make([]tf.Output, len(xs))
		}
		flat[i] = op.Reshape(s.Op("Reshape"), x, s.Const([]int32{-1}))
		sizes[i] = op.Size(s.Op("Size"), x, op.SizeOutType(tf.Int64))
	}
	packed := op.ConcatV2(s.Op("ConcatV2"), flat, s.Const(int32(0)))
	mean := a.reduce(s, "Div", []tf.Output{packed})[0]
	if !s.Ok(mean) {
		return make([]tf.Output, len(xs))
	}
	parts := op.SplitV(s.Op("SplitV"), mean, op.Pack(s.Op("Pack"), sizes), s.Const(int32(0)), int64(len(xs)))
	out := make([]tf.Output, len(xs))
	for i, x := range xs {
		out[i] = op.Reshape(s.Op("Reshape"), parts[i], shapeOf(s, x))
	}
	if s.Err() != nil {
		return make([]tf.Output, len(xs))
	}
	return out
}

// shapeOf is x's shape as a tensor: a constant when static, else computed.
func shapeOf(s *graphs.Scope, x tf.Output) tf.Output {
	if dims, err := x.Shape().ToSlice(); err == nil && x.Shape().IsFullySpecified() {
		return s.Const(dims)
	}
	return op.Shape(s.Op("Shape"), x, op.ShapeOutType(tf.Int64))
}

// Sum adds each of xs across the group (merge Add, final Id): counts and totals of metrics.
func (a *AllReduce) Sum(s *graphs.Scope, xs ...tf.Output) []tf.Output {
	return a.reduce(s, "Id", xs)
}

// reducible are the dtypes CollectiveReduce takes.
var reducible = map[tf.DataType]struct{}{tf.Float: {}, tf.Double: {}, tf.Half: {}, tf.Int32: {}, tf.Int64: {}}

// reduce emits one CollectiveReduce (V1: group and instance keys are attributes) per
// tensor, ring algorithm, on this task's CPU.
func (a *AllReduce) reduce(s *graphs.Scope, finalOp string, xs []tf.Output) []tf.Output {
	if !s.Ok(xs...) {
		return make([]tf.Output, len(xs))
	}
	if a.size == 1 {
		return append([]tf.Output(nil), xs...)
	}
	outs := make([]tf.Output, len(xs))
	for i, x := range xs {
		if _, ok := reducible[x.DataType()]; !ok {
			s.Fail("distributed: all-reduce of %s: %v cannot be reduced (valid: DT_FLOAT, DT_DOUBLE, DT_HALF, DT_INT32, DT_INT64)",
				x.Op.Name(), types.DataType(x.DataType()))
			return make([]tf.Output, len(xs))
		}
		outs[i] = op.CollectiveReduce(s.Op("CollectiveReduce").WithDevice(a.device), x,
			int64(a.size), GroupKey, int64(a.next), "Add", finalOp, []int64{0},
			op.CollectiveReduceCommunicationHint("ring"),
			op.CollectiveReduceTimeoutSeconds(float32(a.timeout.Seconds())))
		a.next++
	}
	if err := s.Err(); err != nil {
		return make([]tf.Output, len(xs))
	}
	return outs
}
