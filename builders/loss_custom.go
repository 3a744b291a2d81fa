package builders

import (
	"fmt"
	"strings"
	"sync"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

// CustomFunc is a loss or a metric written outside builders with graph ops, as a Keras
// function loss fn(y_true, y_pred): it gets a scope to emit ops in, the labels (y_true,
// as the loss's configs.LabelKind gives them: shaped like y_pred, or class ids [batch]
// for sparse labels) and the model's output y_pred [batch, ...], and returns one value
// per example [batch] (a value of rank > 1 is averaged over its last axes, as Keras
// reduces a loss), or a scalar: the batch's value.
type CustomFunc func(s *graphs.Scope, yTrue, yPred tf.Output) tf.Output

var (
	customMu     sync.RWMutex
	customLoss   = map[string]CustomFunc{}
	customMetric = map[string]CustomFunc{}
)

// RegisterCustomLoss registers f as the loss configs.RegisterLoss made known as name. The
// loss's gradient with respect to y_pred is derived by TensorFlow's gradient registry
// (graphs.Scope.Gradients); NewLoss's loss fails at build time, naming the op, when an op
// of f has no gradient there.
func RegisterCustomLoss(name string, f CustomFunc) error {
	if f == nil {
		return fmt.Errorf("register loss %q: nil function", name)
	}
	if !configs.IsCustomLoss(name) || configs.LookupLoss(name).Name != name {
		return fmt.Errorf("register loss %q: configs has no custom loss of that name (configs.RegisterLoss first)", name)
	}
	customMu.Lock()
	defer customMu.Unlock()
	if _, dup := customLoss[name]; dup {
		return fmt.Errorf("register loss %q: registered twice", name)
	}
	customLoss[name] = f
	return nil
}

// RegisterCustomMetric registers f as the metric configs.RegisterMetric made known as
// name: its values are averaged over the examples of an epoch (Keras's
// MeanMetricWrapper; a scalar counts as every example's value).
func RegisterCustomMetric(name string, f CustomFunc) error {
	if f == nil {
		return fmt.Errorf("register metric %q: nil function", name)
	}
	if !configs.IsCustomMetric(name) {
		return fmt.Errorf("register metric %q: configs has no custom metric of that name (configs.RegisterMetric first)", name)
	}
	customMu.Lock()
	defer customMu.Unlock()
	if _, dup := customMetric[name]; dup {
		return fmt.Errorf("register metric %q: registered twice", name)
	}
	customMetric[name] = f
	return nil
}

// lookupCustomLoss returns the registered loss of that name, or nil.
func lookupCustomLoss(name string) CustomFunc {
	customMu.RLock()
	defer customMu.RUnlock()
	return customLoss[name]
}

// CustomMetric emits the batch mean of the registered metric name on yTrue and yPred; ok
// is false when no metric of that name is registered.
func CustomMetric(s *graphs.Scope, name string, yTrue, yPred tf.Output) (mean tf.Output, ok bool) {
	v, ok := customMetricValue(s, name, yTrue, yPred)
	if !ok || !s.Ok(v) {
		return tf.Output{}, ok
	}
	return Mean(s, v), true
}

// customMetricValue emits the registered metric name's value as its function returns it
// (per example or per batch); ok is false when no metric of that name is registered. An
// error is the scope's.
func customMetricValue(s *graphs.Scope, name string, yTrue, yPred tf.Output) (v tf.Output, ok bool) {
	customMu.RLock()
	f := customMetric[name]
	customMu.RUnlock()
	if f == nil {
		return tf.Output{}, false
	}
	if _, err := tryCustom("metric", name, f, yTrue, yPred); err != nil {
		s.Fail("%v", err)
		return tf.Output{}, true
	}
	return customValue(s, "metric", name, f(s, yTrue, yPred)), true
}

// CustomMetricValues emits the registered metric name's value per example, [batch], for
// a weighted metric (weighted_metrics); a metric of one value per batch is an error
// there. ok is false when no metric of that name is registered.
func CustomMetricValues(s *graphs.Scope, name string, yTrue, yPred tf.Output) (values tf.Output, ok bool) {
	v, ok := customMetricValue(s, name, yTrue, yPred)
	if !ok || !s.Ok(v) {
		return tf.Output{}, ok
	}
	if v.Shape().NumDimensions() == 0 {
		s.Fail("custom metric %q returns one value per batch: as a weighted metric it must return one per example", name)
		return tf.Output{}, true
	}
	return v, true
}

// customLossFunc is the per-example function of the custom loss f: its values reduced to
// [batch] (a scalar kept), its gradient with respect to y_pred checked once.
func customLossFunc(name string, f CustomFunc) LossFunc {
	checked := false
	return func(s *graphs.Scope, in LossInput) tf.Output {
		if !checked {
			if err := checkCustomGradient(name, f, in.YTrue, in.YPred); err != nil {
				s.Fail("%v", err)
				return tf.Output{}
			}
			checked = true
		}
		return customValue(s, "loss", name, f(s, in.YTrue, in.YPred))
	}
}

// customValue checks what a custom loss or metric returned and averages a value of rank
// > 1 over its last axes: [batch], or a scalar.
func customValue(s *graphs.Scope, what, name string, v tf.Output) tf.Output {
	if err := s.Err(); err != nil {
		s.Fail("custom %s %q: %v", what, name, err)
		return tf.Output{}
	}
	if v.Op == nil {
		s.Fail("custom %s %q returned no tensor", what, name)
		return tf.Output{}
	}
	if dt := v.DataType(); !graphs.IsFloat(dt) {
		s.Fail("custom %s %q returned a tensor of dtype %s, want a floating-point one", what, name, graphs.DTypeName(dt))
		return tf.Output{}
	}
	switch r := v.Shape().NumDimensions(); {
	case r < 0:
		s.Fail("custom %s %q returned a tensor of unknown rank: return one value per example, [batch], or a scalar", what, name)
		return tf.Output{}
	case r > 1:
		axes := make([]int32, r-1)
		for i := range axes {
			axes[i] = int32(i + 1)
		}
		return op.Mean(s.Op("Mean"), v, s.Const(axes))
	}
	if v.DataType() != s.Graph().DType() && s.Graph().DType() == tf.Float {
		return op.Cast(s.Op("Cast"), v, tf.Float)
	}
	return v
}

// tryCustom builds f on placeholders shaped like yTrue and yPred in a graph of its own,
// so that an error of f's ops is reported with the loss's or metric's name (the training
// graph keeps the first error it meets, unnamed). It returns the scratch graph's value
// and its y_pred placeholder; a zero graph when the shapes' ranks are unknown.
func tryCustom(what, name string, f CustomFunc, yTrue, yPred tf.Output) (*scratch, error) {
	td, err1 := yTrue.Shape().ToSlice()
	pd, err2 := yPred.Shape().ToSlice()
	if err1 != nil || err2 != nil {
		return nil, nil // unknown ranks: the training graph reports any error
	}
	g := graphs.NewGraph(yPred.DataType(), 0)
	s := g.Root()
	yt := s.Placeholder("y_true", yTrue.DataType(), td...)
	yp := s.Placeholder("y_pred", yPred.DataType(), pd...)
	out := f(s, yt, yp)
	if err := s.Err(); err != nil {
		return nil, fmt.Errorf("custom %s %q: %v", what, name, err)
	}
	v := customValue(s, what, name, out)
	if err := s.Err(); err != nil {
		return nil, err
	}
	return &scratch{g: g, s: s, v: v, yPred: yp}, nil
}

// scratch is a custom function built on its own.
type scratch struct {
	g        *graphs.Graph
	s        *graphs.Scope
	v, yPred tf.Output
}

// checkCustomGradient asks TensorFlow for the gradient of f's sum with respect to y_pred,
// in a graph of its own, so that a loss using an op without a gradient is refused by
// name before training.
func checkCustomGradient(name string, f CustomFunc, yTrue, yPred tf.Output) error {
	sc, err := tryCustom("loss", name, f, yTrue, yPred)
	if sc == nil || err != nil {
		return err
	}
	total := Sum(sc.s, sc.v)
	if err := sc.s.Err(); err != nil {
		return fmt.Errorf("custom loss %q: %v", name, err)
	}
	if _, err := sc.g.TF().AddGradients("gradient_check", []tf.Output{total}, []tf.Output{sc.yPred}, nil); err != nil {
		if strings.Contains(err.Error(), "unreachable") {
			return fmt.Errorf("custom loss %q does not depend on y_pred: the model cannot learn from it", name)
		}
		return fmt.Errorf("custom loss %q: no gradient with respect to y_pred: %v (every op of a loss needs a gradient in TensorFlow's C++ gradient registry, or one given with graphs.Scope.CustomGradient)", name, err)
	}
	return nil
}
