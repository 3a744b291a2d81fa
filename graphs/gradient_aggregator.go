package graphs

import tf "github.com/wamuir/graft/tensorflow"

// GradientAggregator combines the gradients an optimizer computed before it applies them:
// Keras's gradient aggregation (Optimizer.apply_gradients under a distribution strategy),
// where each replica's gradients are all-reduced across the replicas. It returns one
// output per gradient, in order, of the same shape; a failure is recorded on s.
type GradientAggregator func(s *Scope, grads []tf.Output) []tf.Output

// SetGradientAggregator makes every optimizer's Minimize built on g from now on pass its
// gradients through agg before applying them (nil: apply them as computed). A distributed
// run sets the cross-replica sum here, so the models need not know about replicas.
func (g *Graph) SetGradientAggregator(agg GradientAggregator) { g.aggregate = agg }
