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
	name   string
	scope  *graphs.Scope
	vars   []*graphs.Variable
	frozen bool // Keras's trainable = False (SetTrainable)
	// inference: always called in inference mode (SetInferenceCall)
	inference bool
}

func (b *base) Name() string                  { return b.name }
func (b *base) Variables() []*graphs.Variable { return b.vars }

// Trainable is Keras's layer.trainable: false once SetTrainable(false) froze the layer,
// or when it is built inside a frozen layer or sub-graph.
func (b *base) Trainable() bool { return !b.frozen && (b.scope == nil || !b.scope.IsFrozen()) }

// SetTrainable sets Keras's layer.trainable before Build. A frozen layer (false) makes
// every weight non-trainable (optimizers neither update them nor keep slots for them;
// summaries count them as non-trainable), its sublayers' too (a Bidirectional's LSTM),
// and a frozen BatchNormalization always normalizes with its moving statistics and
// never updates them, as Keras 3's does.
func (b *base) SetTrainable(trainable bool) { b.frozen = !trainable }

// SetInferenceCall(true) calls the layer in inference mode always, in training steps too
// (Dropout off, BatchNormalization on its moving statistics, which it then does not
// update), as Keras's base_model(x, training=False) calls a base model's layers.
func (b *base) SetInferenceCall(on bool) { b.inference = on }

// InferenceCall reports whether the layer is always called in inference mode.
func (b *base) InferenceCall() bool { return b.inference }

// callTraining is the training argument model l is called with in a call of mode training.
func callTraining(l Layer, training bool) bool {
	if c, ok := l.(interface{ InferenceCall() bool }); ok && c.InferenceCall() {
		return false
	}
	return training
}

func (b *base) begin(s *graphs.Scope) {
	b.scope = s.Sub(b.name)
	if b.frozen {
		b.scope = b.scope.Frozen()
	}
}

// Trainable is a layer whose trainable flag can be read and set (every builders layer).
type Trainable interface {
	Trainable() bool
	SetTrainable(trainable bool)
}

// Freeze sets trainable = False on l (Keras's layer.trainable = False), before Build. It
// reports false when l cannot be frozen (a Layer not made by builders).
func Freeze(l Layer) bool {
	t, ok := l.(Trainable)
	if ok {
		t.SetTrainable(false)
	}
	return ok
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
