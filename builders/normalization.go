package builders

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerNormalization, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		return NewNormalization(name), nil
	})
}

// normalizationEpsilon is Keras's backend.epsilon(), the least √variance divides by.
const normalizationEpsilon = 1e-7

// Normalization is Keras's Normalization (keras/src/layers/preprocessing/normalization.py)
// over the last axis: (x − mean) / max(√variance, 1e-7), in training and inference alike.
// mean and variance ([features], non-trainable, initially 0 and 1) and count (int64, the
// number of values per feature adapted over, as Keras 2 kept it; Keras 3 leaves it 0) are
// Keras's weights of an adapted layer; the classifier
// sets them from the training data before the first step, as Keras's adapt does (see
// Adapt), and the checkpoint keeps them. Shape unchanged.
type Normalization struct {
	base
	mean, variance, count *graphs.Variable

	in         Shape
	adaptInput tf.Output
}

// NewNormalization returns a Normalization over the last axis.
func NewNormalization(name string) *Normalization {
	return &Normalization{base: base{name: name}}
}

func (n *Normalization) Type() string { return configs.LayerNormalization }

func (n *Normalization) Build(s *graphs.Scope, in Shape) (Shape, error) {
	if len(in) == 0 || in[len(in)-1] <= 0 {
		return nil, shapeError(n, in, "(None, ..., features) with a known number of features")
	}
	n.begin(s)
	n.in = in
	c := int64(in[len(in)-1])
	n.mean = n.variable("mean", []int64{c}, graphs.Zeros{}, false)
	n.variance = n.variable("variance", []int64{c}, graphs.Ones{}, false)
	n.count = n.scope.NewVariable("count", tf.Int64, nil, graphs.Zeros{}, false)
	n.vars = append(n.vars, n.count)
	return in, nil
}

func (n *Normalization) Call(x tf.Output, training bool) tf.Output {
	s := n.scope
	if !training && n.adaptInput.Op == nil {
		// Its own tensor (x may be the model's input placeholder, which a session cannot
		// both feed and fetch), in the graph's float type (bfloat16 under a mixed policy).
		n.adaptInput = op.Identity(s.Op("Identity"), s.CastTo(x, s.Graph().DType()))
	}
	std := op.Maximum(s.Op("Maximum"), op.Sqrt(s.Op("Sqrt"), s.Read(n.variance)), s.Scalar(normalizationEpsilon))
	return op.RealDiv(s.Op("RealDiv"), op.Sub(s.Op("Sub"), x, s.Read(n.mean)), std)
}

// AdaptInput is the layer's input in the model's first inference Call, in the graph's
// DType: what Adapt's statistics are computed over (the outputs of the layers before it,
// in inference).
func (n *Normalization) AdaptInput() tf.Output { return n.adaptInput }

// Adapt returns the variables and the values Keras's adapt gives them for the statistics
// of the layer's inputs: per feature, the count of values, their sum and their sum of
// squares (accumulated in float64 over the whole training data). The variance is the
// population variance, Keras's.
func (n *Normalization) Adapt(count int64, sum, sumSquares []float64) ([]*graphs.Variable, []*tf.Tensor, error) {
	c := n.in[len(n.in)-1]
	if len(sum) != c || len(sumSquares) != c || count <= 0 {
		return nil, nil, fmt.Errorf("layer %q (Normalization): adapting %d features over %d values, want %d features over at least one", n.name, len(sum), count, c)
	}
	mean, variance := make([]float32, c), make([]float32, c)
	for i := range c {
		m := sum[i] / float64(count)
		mean[i] = float32(m)
		variance[i] = float32(max(sumSquares[i]/float64(count)-m*m, 0))
	}
	mt, err := graphs.NewTensor(mean, int64(c))
	if err != nil {
		return nil, nil, err
	}
	vt, err := graphs.NewTensor(variance, int64(c))
	if err != nil {
		return nil, nil, err
	}
	ct, err := tf.NewTensor(count)
	if err != nil {
		return nil, nil, err
	}
	return []*graphs.Variable{n.mean, n.variance, n.count}, []*tf.Tensor{mt, vt, ct}, nil
}
