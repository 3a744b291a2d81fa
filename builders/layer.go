package builders

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

// Shape is a tensor shape without the batch dimension: configs.Shape, the one shape type
// of config-time inference and of Build (an alias, as os.FileMode is of fs.FileMode).
type Shape = configs.Shape

// Layer is one Keras layer.
type Layer interface {
	// Name is the layer's name, unique in its model ("dense", "dense_1", ...).
	Name() string
	// Type is the Keras class name ("Dense").
	Type() string
	// Build creates the layer's variables in s for inputs of shape in and returns the
	// output shape; a shape the layer cannot take is an error.
	Build(s *graphs.Scope, in Shape) (Shape, error)
	// Call emits the layer's ops on x; training selects the training behaviour
	// (Dropout active, BatchNormalization on batch statistics).
	Call(x tf.Output, training bool) tf.Output
	// Variables lists the layer's variables (trainable and not).
	Variables() []*graphs.Variable
}

// base holds what every layer has.
type base struct {
	name  string
	scope *graphs.Scope
	vars  []*graphs.Variable
}

func (b *base) Name() string                  { return b.name }
func (b *base) Variables() []*graphs.Variable { return b.vars }

func (b *base) begin(s *graphs.Scope) {
	b.scope = s.Sub(b.name)
}

// computeDType is the type the layer computes in (its scope's; see precision.go), 0
// before Build.
func (b *base) computeDType() tf.DataType {
	if b.scope == nil {
		return 0
	}
	return b.scope.DType()
}

// variable adds a variable of the graph's DType (float32 under a mixed policy too); Call
// reads it with b.scope.Read, in the type the layer computes in.
func (b *base) variable(name string, shape []int64, init graphs.Initializer, trainable bool) *graphs.Variable {
	v := b.scope.NewVariable(name, b.scope.Graph().DType(), shape, init, trainable)
	b.vars = append(b.vars, v)
	return v
}

// CountParams returns the number of trainable and non-trainable parameters of vars.
func CountParams(vars []*graphs.Variable) (trainable, nonTrainable int) {
	for _, v := range vars {
		if v.Trainable {
			trainable += v.NumElements()
		} else {
			nonTrainable += v.NumElements()
		}
	}
	return trainable, nonTrainable
}

func shapeError(layer Layer, in Shape, want string) error {
	return fmt.Errorf("layer %q (%s): input shape %v, want %s", layer.Name(), layer.Type(), in, want)
}
