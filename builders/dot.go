package builders

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerDot, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		l := NewDot(name, c.Pair("axes"))
		l.Normalize = c.Bool("normalize")
		return l, nil
	})
}

// Dot is Keras's Dot: the dot product of its two inputs along Axes (one axis of each,
// Keras's numbering with 0 the batch axis; negative ones count from each input's last),
// as Keras's batch_dot: the output has the first input's other axes, then the second's,
// or shape (None, 1) when none are left. With Normalize both inputs are first
// L2-normalized along those axes (Keras's x·min(rsqrt(Σx²), 1/ε), ε = 1e-7), making the
// output the cosine proximity.
type Dot struct {
	base
	Axes      [2]int
	Normalize bool

	a, b       int   // the contracted axes of the batched inputs, after Build
	xr, yr     Shape // the inputs' other (non-batch) dimensions
	d          int   // the contracted size
	xRank, yRk int
}

// NewDot returns a Dot layer on axes (Keras's axes=(a, b); an integer n is [n, n]).
func NewDot(name string, axes [2]int) *Dot {
	return &Dot{base: base{name: name}, Axes: axes}
}

func (d *Dot) Type() string { return "Dot" }

func (d *Dot) Build(s *graphs.Scope, in Shape) (Shape, error) {
	return d.BuildMerge(s, []Shape{in})
}

func (d *Dot) BuildMerge(s *graphs.Scope, ins []Shape) (Shape, error) {
	if err := mergeCount(d, len(ins), 2, 2); err != nil {
		return nil, err
	}
	x, y := ins[0], ins[1]
	a, err := kerasAxis(d, d.Axes[0], len(x)+1)
	if err != nil {
		return nil, err
	}
	b, err := kerasAxis(d, d.Axes[1], len(y)+1)
	if err != nil {
		return nil, err
	}
	if x[a-1] != y[b-1] {
		return nil, fmt.Errorf("layer %q (Dot): axis %d of %v has %d values, axis %d of %v %d", d.name, a, x, x[a-1], b, y, y[b-1])
	}
	d.a, d.b, d.d = a, b, x[a-1]
	d.xRank, d.yRk = len(x)+1, len(y)+1
	d.xr = append(append(Shape{}, x[:a-1]...), x[a:]...)
	d.yr = append(append(Shape{}, y[:b-1]...), y[b:]...)
	d.begin(s)
	out := append(append(Shape{}, d.xr...), d.yr...)
	if len(out) == 0 {
		out = Shape{1}
	}
	return out, nil
}

func (d *Dot) Call(x tf.Output, training bool) tf.Output {
	return d.CallMerge([]tf.Output{x, x}, training)
}

func (d *Dot) CallMerge(xs []tf.Output, _ bool) tf.Output {
	s := d.scope
	x, y := xs[0], xs[1]
	if d.Normalize {
		x, y = l2Normalize(s, x, d.a), l2Normalize(s, y, d.b)
	}
	// x: the contracted axis last, then [batch, m, d]; y: it second, then [batch, d, n].
	x = op.Transpose(s.Op("Transpose"), x, s.Const(moveAxis(d.xRank, d.a, d.xRank-1)))
	y = op.Transpose(s.Op("Transpose"), y, s.Const(moveAxis(d.yRk, d.b, 1)))
	x = op.Reshape(s.Op("Reshape"), x, s.Const([]int32{-1, int32(d.xr.Size()), int32(d.d)}))
	y = op.Reshape(s.Op("Reshape"), y, s.Const([]int32{-1, int32(d.d), int32(d.yr.Size())}))
	out := op.BatchMatMulV2(s.Op("BatchMatMulV2"), x, y)
	shape := []int32{-1}
	for _, n := range append(append(Shape{}, d.xr...), d.yr...) {
		shape = append(shape, int32(n))
	}
	if len(shape) == 1 {
		shape = append(shape, 1)
	}
	return op.Reshape(s.Op("Reshape"), out, s.Const(shape))
}

// moveAxis is the permutation of a rank-rank tensor's axes that moves axis from to
// position to, keeping the others in order.
func moveAxis(rank, from, to int) []int32 {
	var rest []int32
	for i := range rank {
		if i != from {
			rest = append(rest, int32(i))
		}
	}
	perm := append([]int32{}, rest[:to]...)
	perm = append(perm, int32(from))
	return append(perm, rest[to:]...)
}

// l2Normalize is Keras's ops.normalize(x, axis, order=2): x·min(rsqrt(Σx² along axis),
// 1/ε) with ε = 1e-7.
func l2Normalize(s *graphs.Scope, x tf.Output, axis int) tf.Output {
	sq := op.Sum(s.Op("Sum"), op.Square(s.Op("Square"), x), s.Const(int32(axis)), op.SumKeepDims(true))
	inv := op.Minimum(s.Op("Minimum"), op.Rsqrt(s.Op("Rsqrt"), sq), s.Scalar(1e7))
	return op.Mul(s.Op("Mul"), x, inv)
}
