package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerEmbedding, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		e := NewEmbedding(name, c.Int("input_dim"), c.Int("output_dim"))
		e.MaskZero = c.Bool("mask_zero")
		return e, nil
	})
}

// Embedding is Keras's Embedding: integer ids [batch, length] → [batch, length, output_dim]
// rows of "embeddings" [input_dim, output_dim] (Keras's "uniform" initializer, ±0.05).
// Ids are int32; an id outside [0, input_dim) is an error at run time. With MaskZero
// (Keras's mask_zero) id 0 is padding: the output's mask is ids ≠ 0 (see MaskedLayer).
type Embedding struct {
	base
	InputDim, OutputDim int
	MaskZero            bool
	// Initializer is the table's initializer (Keras's embeddings_initializer); "" is
	// Keras's "uniform" (±0.05).
	Initializer string

	table *graphs.Variable
}

// NewEmbedding returns an Embedding layer.
func NewEmbedding(name string, inputDim, outputDim int) *Embedding {
	return &Embedding{base: base{name: name}, InputDim: inputDim, OutputDim: outputDim}
}

func (e *Embedding) Type() string { return "Embedding" }

func (e *Embedding) Build(s *graphs.Scope, in Shape) (Shape, error) {
	if len(in) < 1 {
		return nil, shapeError(e, in, "(None, length)")
	}
	init, err := initializer(e, "embeddings_initializer", e.Initializer,
		graphs.RandomUniform{Min: graphs.KerasUniformMin, Max: graphs.KerasUniformMax})
	if err != nil {
		return nil, err
	}
	e.begin(s)
	e.table = e.variable("embeddings", []int64{int64(e.InputDim), int64(e.OutputDim)}, init, true)
	return append(append(Shape{}, in...), e.OutputDim), nil
}

// Call gathers the rows of the float32 table and casts them to the type the layer
// computes in, as Keras's Embedding (autocast off: take, then cast to compute_dtype),
// rather than casting the whole table.
// The lookup is graphs.Scope.Gather (GatherV2 on the variable's value, whose gradient the
// registry has; ResourceGather's it has not), so an optimizer with
// sparse_embedding_gradients sees its gradient per occurrence of an id, as Keras's does.
func (e *Embedding) Call(x tf.Output, training bool) tf.Output {
	return e.scope.CastTo(e.scope.Gather(e.table, x), e.scope.DType())
}

// CallMasked is Call, and with MaskZero the mask ids ≠ 0 (Keras's compute_mask).
func (e *Embedding) CallMasked(xs, _ []tf.Output, training bool) (tf.Output, tf.Output) {
	out := e.Call(xs[0], training)
	if !e.MaskZero {
		return out, tf.Output{}
	}
	s := e.scope
	return out, op.NotEqual(s.Op("NotEqual"), xs[0], op.ZerosLike(s.Op("ZerosLike"), xs[0]))
}
