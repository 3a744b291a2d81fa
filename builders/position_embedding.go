package builders

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerPositionEmbedding, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		p := NewPositionEmbedding(name, c.Int("sequence_length"))
		p.Initializer = c.String("initializer")
		return p, nil
	})
}

// PositionEmbedding is keras_hub's PositionEmbedding (keras_hub/src/layers/modeling/
// position_embedding.py): a learnt table "embeddings" [sequence_length, features]
// (glorot_uniform); called on x [batch, length, features] it returns the table's first
// length rows, the same for every example: [batch, length, features]. Only x's shape is
// used; the position embeddings are added to the token embeddings by an Add layer. As
// keras_hub's, it does not support masking: its output has no mask, so an Add with masked
// token embeddings has none either (Keras 3's Merge.compute_mask), as in Keras 3.15.1.
// Inputs longer than sequence_length, which keras_hub embeds hierarchically, are refused.
type PositionEmbedding struct {
	base
	SequenceLength int
	Initializer    string // "" is glorot_uniform

	in    Shape
	table *graphs.Variable
}

// NewPositionEmbedding returns a PositionEmbedding layer.
func NewPositionEmbedding(name string, sequenceLength int) *PositionEmbedding {
	return &PositionEmbedding{base: base{name: name}, SequenceLength: sequenceLength}
}

func (p *PositionEmbedding) Type() string { return "PositionEmbedding" }

func (p *PositionEmbedding) Build(s *graphs.Scope, in Shape) (Shape, error) {
	if err := checkPositive(p, "sequence_length", p.SequenceLength); err != nil {
		return nil, err
	}
	if len(in) != 2 || in[0] <= 0 || in[1] <= 0 {
		return nil, shapeError(p, in, "(None, length, features)")
	}
	if in[0] > p.SequenceLength {
		return nil, shapeError(p, in, fmt.Sprintf("at most sequence_length = %d positions", p.SequenceLength))
	}
	init, err := initializer(p, "initializer", p.Initializer, graphs.GlorotUniform{})
	if err != nil {
		return nil, err
	}
	p.begin(s)
	p.in = in
	p.table = p.variable("embeddings", []int64{int64(p.SequenceLength), int64(in[1])}, init, true)
	return in, nil
}

// Call returns the first length rows of the table, tiled over x's batch.
func (p *PositionEmbedding) Call(x tf.Output, training bool) tf.Output {
	return positionEmbeddingOp(p.scope, p.scope.Read(p.table), x, p.in[0], p.SequenceLength)
}

// positionEmbeddingOp is PositionEmbedding's math: the first length rows of table
// [sequenceLength, features], one copy per example of x.
func positionEmbeddingOp(s *graphs.Scope, table, x tf.Output, length, sequenceLength int) tf.Output {
	rows := table
	if length < sequenceLength {
		rows = op.Slice(s.Op("Slice"), rows, s.Const([]int32{0, 0}), s.Const([]int32{int32(length), -1}))
	}
	rows = op.ExpandDims(s.Op("ExpandDims"), rows, s.Const(int32(0)))
	shape := op.Shape(s.Op("Shape"), x, op.ShapeOutType(tf.Int32))
	batch := op.StridedSlice(s.Op("StridedSlice"), shape, s.Const([]int32{0}), s.Const([]int32{1}), s.Const([]int32{1}))
	multiples := op.ConcatV2(s.Op("ConcatV2"), []tf.Output{batch, s.Const([]int32{1, 1})}, s.Const(int32(0)))
	return op.Tile(s.Op("Tile"), rows, multiples)
}
