package builders

import (
	"fmt"
	"math"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerMultiHeadAttention, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		m := NewMultiHeadAttention(name, c.Int("num_heads"), c.Int("key_dim"))
		m.ValueDim, m.Dropout, m.UseBias = c.Int("value_dim"), c.Float("dropout"), c.Bool("use_bias")
		if o := c.Ints("output_shape"); len(o) == 1 {
			m.OutputShape = o[0]
		}
		m.UseCausalMask = c.Bool("use_causal_mask")
		return m, nil
	})
}

// MultiHeadAttention is Keras's MultiHeadAttention (Vaswani et al. 2017, "Attention is all
// you need"), called on [query, value] or [query, value, key] (key defaults to value):
// query [batch, T, dim], value [batch, S, value dim], key [batch, S, key dim] → [batch, T,
// OutputShape or dim]. Each input is projected per head (Keras's EinsumDense sublayers,
// weights "query/kernel" [dim, heads, key_dim] and "query/bias" [heads, key_dim], likewise
// "key/…" and "value/…" with value_dim, then "attention_output/kernel" [heads, value_dim,
// out] and "attention_output/bias" [out]; glorot_uniform with Keras 3's EinsumDense fans
// (graphs.GlorotUniformAxes), zeros); the scores q·kᵀ/√key_dim of the allowed (query, key) pairs go through a
// softmax over the keys (in float32 under a mixed policy, as Keras's
// dot_product_attention), Dropout drops attention probabilities in training, and the
// heads' weighted values are projected to the output.
//
// Masks, as Keras's _compute_attention_mask: the query's mask [batch, T] and the value's
// and key's [batch, S] combine (AND) with the causal mask (UseCausalMask) and an explicit
// attention mask (CallAttention) into [batch, T, S]; a disallowed pair's score becomes a
// large negative number before the softmax, so masked keys get no weight. A query step
// with no allowed key (a padded one) gets uniform weights, as Keras's inference path
// gives; its output carries the query's mask, so the layers after it ignore that step.
type MultiHeadAttention struct {
	base
	NumHeads, KeyDim, ValueDim int // ValueDim 0: KeyDim
	Dropout                    float64
	UseBias                    bool
	OutputShape                int // 0: the query's feature size
	UseCausalMask              bool

	ins                            []Shape
	out                            int
	qk, qb, kk, kb, vk, vb, ok, ob *graphs.Variable
}

// NewMultiHeadAttention returns a MultiHeadAttention layer with Keras's defaults (value_dim
// = key_dim, no dropout, biases, output the query's size).
func NewMultiHeadAttention(name string, numHeads, keyDim int) *MultiHeadAttention {
	return &MultiHeadAttention{base: base{name: name}, NumHeads: numHeads, KeyDim: keyDim, UseBias: true}
}

func (m *MultiHeadAttention) Type() string { return "MultiHeadAttention" }

// Build is BuildMerge for self-attention on one input: query, value and key x.
func (m *MultiHeadAttention) Build(s *graphs.Scope, in Shape) (Shape, error) {
	return m.BuildMerge(s, []Shape{in, in})
}

func (m *MultiHeadAttention) BuildMerge(s *graphs.Scope, ins []Shape) (Shape, error) {
	if err := mergeCount(m, len(ins), 2, 3); err != nil {
		return nil, err
	}
	for i, in := range ins {
		if len(in) != 2 || in[0] <= 0 || in[1] <= 0 {
			return nil, shapeError(m, in, fmt.Sprintf("(None, steps, features) for input %d", i))
		}
	}
	if len(ins) == 3 && ins[2][0] != ins[1][0] {
		return nil, fmt.Errorf("layer %q (%s): value %v and key %v have different numbers of steps", m.name, m.Type(), ins[1], ins[2])
	}
	if m.UseCausalMask && ins[0][0] != ins[1][0] {
		return nil, fmt.Errorf("layer %q (%s): use_causal_mask with query %v and value %v of different lengths", m.name, m.Type(), ins[0], ins[1])
	}
	for _, c := range []struct {
		key string
		n   int
	}{{"num_heads", m.NumHeads}, {"key_dim", m.KeyDim}, {"value_dim", m.valueDim()}} {
		if err := checkPositive(m, c.key, c.n); err != nil {
			return nil, err
		}
	}
	if m.Dropout < 0 || m.Dropout >= 1 {
		return nil, argError(m, "dropout", m.Dropout, "a rate in [0, 1)")
	}
	m.ins = append([]Shape(nil), ins...)
	m.out = ins[0][1]
	if m.OutputShape > 0 {
		m.out = m.OutputShape
	}
	key := ins[1]
	if len(ins) == 3 {
		key = ins[2]
	}
	h, k, v := int64(m.NumHeads), int64(m.KeyDim), int64(m.valueDim())
	m.begin(s)
	m.vars = nil
	// The kernels' fans are Keras's EinsumDense's: the input's feature axis in, the heads
	// and their size out; the output projection's heads and value size in.
	proj := graphs.GlorotUniformAxes{InputAxes: []int{0}, OutputAxes: []int{1, 2}}
	m.qk, m.qb = m.projection("query", []int64{int64(ins[0][1]), h, k}, []int64{h, k}, proj)
	m.kk, m.kb = m.projection("key", []int64{int64(key[1]), h, k}, []int64{h, k}, proj)
	m.vk, m.vb = m.projection("value", []int64{int64(ins[1][1]), h, v}, []int64{h, v}, proj)
	m.ok, m.ob = m.projection("attention_output", []int64{h, v, int64(m.out)}, []int64{int64(m.out)},
		graphs.GlorotUniformAxes{InputAxes: []int{0, 1}, OutputAxes: []int{2}})
	return Shape{ins[0][0], m.out}, nil
}

func (m *MultiHeadAttention) valueDim() int {
	if m.ValueDim > 0 {
		return m.ValueDim
	}
	return m.KeyDim
}

// projection adds one EinsumDense sublayer's kernel (drawn by init) and (with UseBias)
// bias, named as Keras's: <sublayer>/kernel, <sublayer>/bias.
func (m *MultiHeadAttention) projection(sub string, kernel, bias []int64, init graphs.Initializer) (k, b *graphs.Variable) {
	ss := m.scope.Sub(sub)
	dt := m.scope.Graph().DType()
	k = ss.NewVariable("kernel", dt, kernel, init, true)
	m.vars = append(m.vars, k)
	if m.UseBias {
		b = ss.NewVariable("bias", dt, bias, graphs.Zeros{}, true)
		m.vars = append(m.vars, b)
	}
	return k, b
}

// Call is self-attention on x (query, value and key x).
func (m *MultiHeadAttention) Call(x tf.Output, training bool) tf.Output {
	return m.CallMerge([]tf.Output{x, x}, training)
}

// CallMerge is CallMasked without masks.
func (m *MultiHeadAttention) CallMerge(xs []tf.Output, training bool) tf.Output {
	out, _ := m.CallMasked(xs, nil, training)
	return out
}

// CallMasked attends with the inputs' masks; the output carries the query's.
func (m *MultiHeadAttention) CallMasked(xs, masks []tf.Output, training bool) (tf.Output, tf.Output) {
	return m.CallAttention(xs, masks, tf.Output{}, training)
}

// CallAttention is CallMasked with Keras's attention_mask argument too: a boolean
// [batch, T, S] (true: the query step may attend to the key step), or a zero Output.
func (m *MultiHeadAttention) CallAttention(xs, masks []tf.Output, attentionMask tf.Output, training bool) (tf.Output, tf.Output) {
	s := m.scope
	if len(xs) != len(m.ins) {
		s.Fail("builders: layer %q (%s) was built for %d inputs, called on %d", m.name, m.Type(), len(m.ins), len(xs))
		return tf.Output{}, tf.Output{}
	}
	mask := func(i int) tf.Output {
		if i < len(masks) {
			return masks[i]
		}
		return tf.Output{}
	}
	query, value, key := xs[0], xs[1], xs[1]
	keyIn := m.ins[1]
	if len(xs) == 3 {
		key, keyIn = xs[2], m.ins[2]
	}
	t, steps := m.ins[0][0], m.ins[1][0]
	h, k, v := m.NumHeads, m.KeyDim, m.valueDim()

	// [batch, steps, features] → [batch, heads, steps, size]
	heads := func(sub string, x tf.Output, in Shape, kernel, bias *graphs.Variable, size int) tf.Output {
		ps := s.Sub(sub)
		flat := op.Reshape(ps.Op("Reshape"), x, ps.Const([]int32{-1, int32(in[1])}))
		w := op.Reshape(ps.Op("Reshape"), ps.Read(kernel), ps.Const([]int32{int32(in[1]), int32(h * size)}))
		y := op.MatMul(ps.Op("MatMul"), flat, w)
		if bias != nil {
			y = ps.BiasAdd(y, op.Reshape(ps.Op("Reshape"), ps.Read(bias), ps.Const([]int32{int32(h * size)})))
		}
		y = op.Reshape(ps.Op("Reshape"), y, ps.Const([]int32{-1, int32(in[0]), int32(h), int32(size)}))
		return op.Transpose(ps.Op("Transpose"), y, ps.Const([]int32{0, 2, 1, 3}))
	}
	q := heads("query", query, m.ins[0], m.qk, m.qb, k)
	kh := heads("key", key, keyIn, m.kk, m.kb, k)
	vh := heads("value", value, m.ins[1], m.vk, m.vb, v)

	// Scores and probabilities in float32 at least (Keras's dot_product_attention).
	f32 := s.WithDType(s.Graph().DType())
	q = f32.CastTo(q, f32.DType())
	kh = f32.CastTo(kh, f32.DType())
	q = op.Mul(f32.Op("Mul"), q, f32.Scalar(1/math.Sqrt(float64(k))))
	scores := op.BatchMatMulV2(f32.Op("BatchMatMulV2"), q, kh, op.BatchMatMulV2AdjY(true)) // [batch, heads, T, S]
	allowed := m.attentionMask(mask(0), mask(1), mask(2), attentionMask, t, steps)
	if allowed.Op != nil {
		allowed = op.ExpandDims(f32.Op("ExpandDims"), allowed, f32.Const(int32(1))) // [batch, 1, T, S]
		scores = rawOp(f32, "SelectV2", allowed, scores, f32.Scalar(largeNegative))
	}
	probs := s.CastTo(op.Softmax(f32.Op("Softmax"), scores), s.DType())
	if training && m.Dropout > 0 {
		probs = dropout(s, probs, op.Shape(s.Op("Shape"), probs), m.Dropout)
	}
	ctx := op.BatchMatMulV2(s.Op("BatchMatMulV2"), probs, vh) // [batch, heads, T, value_dim]

	ys := s.Sub("attention_output")
	ctx = op.Transpose(ys.Op("Transpose"), ctx, ys.Const([]int32{0, 2, 1, 3}))
	ctx = op.Reshape(ys.Op("Reshape"), ctx, ys.Const([]int32{-1, int32(h * v)}))
	w := op.Reshape(ys.Op("Reshape"), ys.Read(m.ok), ys.Const([]int32{int32(h * v), int32(m.out)}))
	var b tf.Output
	if m.ob != nil {
		b = ys.Read(m.ob)
	}
	y := denseOp(ys, ctx, w, b)
	y = op.Reshape(ys.Op("Reshape"), y, ys.Const([]int32{-1, int32(t), int32(m.out)}))
	return y, mask(0)
}

// largeNegative is the score a disallowed (query, key) pair gets: Keras's TensorFlow
// backend's -0.7 × 3.38953e38 (_get_large_negative for float32).
const largeNegative = -0.7 * 3.38953e38

// attentionMask combines the masks as Keras's _compute_attention_mask: the query's
// [batch, T, 1], the value's and key's [batch, 1, S], the causal [1, T, S] and the
// explicit attention mask [batch, T, S], ANDed; a zero Output when there are none.
func (m *MultiHeadAttention) attentionMask(query, value, key, explicit tf.Output, t, steps int) tf.Output {
	s := m.scope
	var parts []tf.Output
	if query.Op != nil {
		parts = append(parts, op.ExpandDims(s.Op("ExpandDims"), query, s.Const(int32(-1))))
	}
	for _, vm := range []tf.Output{value, key} {
		if vm.Op != nil {
			parts = append(parts, op.ExpandDims(s.Op("ExpandDims"), vm, s.Const(int32(-2))))
		}
	}
	if m.UseCausalMask {
		parts = append(parts, causalMask(s, t, steps))
	}
	if explicit.Op != nil {
		parts = append(parts, explicit)
	}
	return andMasks(s, parts)
}

// causalMask is [1, T, S]: query step i may attend to key steps j ≤ i (Keras's
// _compute_causal_mask), as a constant.
func causalMask(s *graphs.Scope, t, steps int) tf.Output {
	m := make([][][]bool, 1)
	m[0] = make([][]bool, t)
	for i := range t {
		m[0][i] = make([]bool, steps)
		for j := range steps {
			m[0][i][j] = j <= i
		}
	}
	return s.Const(m)
}
