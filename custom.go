package tfrun

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

// Scope is where a custom loss, metric or train step emits its ops: s.Op("Square") is a
// graft op.Scope for one op of package github.com/wamuir/graft/tensorflow/op, s.Const
// and s.Scalar make constants, s.Sub a named sub-scope.
type Scope = graphs.Scope

// Output is a tensor of the graph (graft's tf.Output).
type Output = tf.Output

// LossFunc is a loss or a metric written in Go with graph ops, as a Keras function
// fn(y_true, y_pred): yTrue are the labels (see LabelKind), yPred the model's output
// [batch, ...]. It returns one value per example, [batch] (a value of rank > 1 is averaged
// over its last axes, as Keras reduces a loss), or a scalar, the batch's value. A loss's
// gradient is derived by TensorFlow's gradient registry from the ops it uses.
type LossFunc = builders.CustomFunc

// LabelKind is what a loss takes as y_true; the data's labels (Data.Y) reach it so.
type LabelKind = configs.LabelKind

// The labels a custom loss takes.
const (
	// LabelsReal: targets shaped like the output [batch, k] (regression); no accuracy.
	LabelsReal = configs.LabelsReal
	// LabelsBinary: 0/1 labels shaped like the output [batch, k]; accuracy is
	// binary_accuracy.
	LabelsBinary = configs.LabelsBinary
	// LabelsSparse: class ids [batch] (float) against one probability per class.
	LabelsSparse = configs.LabelsSparse
	// LabelsOneHot: the class ids one-hot encoded, shaped like the output [batch, k].
	LabelsOneHot = configs.LabelsOneHot
)

// CustomLoss is a loss written in Go, registered by name with RegisterLoss.
type CustomLoss struct {
	// Name is the loss's name (lower snake case), as Compile's Loss and a config's
	// train.loss give it.
	Name string
	// Labels are what the loss takes as y_true. Default LabelsReal.
	Labels LabelKind
	// Func computes the loss.
	Func LossFunc
}

// CustomMetric is a metric written in Go, registered by name with RegisterMetric: its
// values averaged over the examples of an epoch (Keras's MeanMetricWrapper), logged
// under its name (val_<name> on the validation data).
type CustomMetric struct {
	Name string // lower snake case: the log name
	Func LossFunc
}

// RegisterLoss makes a loss written in Go known by its name to Compile's Loss, to a
// config's train.loss (LoadConfig) and to train.loss's mapping by output name, as
// Keras's register_keras_serializable does for keras.losses.get. Register it before
// compiling or loading a config that names it, typically in init or main. A name that is
// a built-in loss's (or a registered one's) is refused, as is a nil Func.
//
// Building the model fails with an error naming the op when an op of Func has no
// gradient in TensorFlow's gradient registry (Round, Ceil, Cumprod, ...), or when the
// loss does not depend on y_pred.
func RegisterLoss(l CustomLoss) error {
	if l.Func == nil {
		return fmt.Errorf("register loss %q: no Func", l.Name)
	}
	if l.Labels == 0 {
		l.Labels = LabelsReal
	}
	if err := configs.RegisterLoss(configs.LossSpec{Name: l.Name, Labels: l.Labels}); err != nil {
		return err
	}
	return builders.RegisterCustomLoss(l.Name, l.Func)
}

// RegisterMetric makes a metric written in Go known by its name to Compile's Metrics and
// WeightedMetrics and to a config's train.metrics. A name that is a built-in metric's
// (or a registered one's) is refused, as is a nil Func.
func RegisterMetric(m CustomMetric) error {
	if m.Func == nil {
		return fmt.Errorf("register metric %q: no Func", m.Name)
	}
	if err := configs.RegisterMetric(m.Name); err != nil {
		return err
	}
	return builders.RegisterCustomMetric(m.Name, m.Func)
}
