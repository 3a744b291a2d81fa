package tfrun

import (
	"context"
	"fmt"
	"maps"
	"slices"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/assemble"
	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

// functionalNetwork is Network for a functional model: built for its declared inputs,
// as a YAML GAN's functional networks are (gan.Network).
func (b *StepBuilder) functionalNetwork(name string, model *Model, in []int) (*Network, error) {
	at := fmt.Sprintf("custom step: network %q", name)
	if len(in) > 0 {
		return nil, fmt.Errorf("%s: a functional model's inputs have their shapes (layers.Input(name, shape...)); give no input shape", at)
	}
	def := model.Definition()
	shapes := map[string]builders.Shape{}
	for _, x := range def.Inputs {
		if x.Shape == nil {
			return nil, fmt.Errorf("%s: input %q has no shape: declare it, layers.Input(%q, shape...)", at, x.Name, x.Name)
		}
		shapes[x.Name] = builders.Shape(slices.Clone([]int(x.Shape)))
	}
	var one builders.Shape
	if len(def.Inputs) == 1 {
		one = shapes[def.Inputs[0].Name]
	}
	f, _, err := assemble.FunctionalAt("network "+name, &def, one)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", at, err)
	}
	f.Name = name
	if err := f.BuildGraph(b.s, shapes); err != nil {
		return nil, fmt.Errorf("%s: %w", at, err)
	}
	n := &Network{name: name, def: def.Layers, net: f, fn: f, ins: def.Inputs, xs: map[string]tf.Output{}, sc: b.s.Sub("inputs_" + name)}
	ps := b.s.Sub("predict_" + name)
	for _, x := range def.Inputs {
		n.xs[x.Name] = ps.Placeholder(x.Name, inputDType(x), append([]int64{-1}, shapes[x.Name].Int64s()...)...)
	}
	n.outs, _ = f.CallGraph(n.xs, false)
	if n.outs != nil {
		n.out = n.outs[f.Outputs[0]]
	}
	b.nets[name], b.order = n, append(b.order, name)
	return n, b.s.Err()
}

// inputDType is the TensorFlow type of a functional model's input.
func inputDType(in configs.Input) tf.DataType {
	if in.DType == configs.DTypeInt32 {
		return tf.Int32
	}
	return tf.Float
}

// CallInputs calls a functional network on its inputs by name (Keras's
// network({"noise": z, "label": y}, training=training)) and returns its output (its
// first, of several: CallOutputs gives them all). An input given as float32 to an
// layers.IntInput is cast to int32 (class ids from StepBuilder.Input), and the reverse.
func (n *Network) CallInputs(xs map[string]Output, training bool) Output {
	outs := n.CallOutputs(xs, training)
	if outs == nil {
		return tf.Output{}
	}
	return outs[n.fn.Outputs[0]]
}

// CallOutputs is CallInputs with every output of the network, by name. A missing
// input fails the step's build (NewCustom's error names it).
func (n *Network) CallOutputs(xs map[string]Output, training bool) map[string]Output {
	if n.fn == nil {
		n.sc.Fail("custom step: network %q is Sequential: call it with Call", n.name)
		return nil
	}
	in := map[string]tf.Output{}
	for _, x := range n.ins {
		v, ok := xs[x.Name]
		if !ok {
			n.sc.Fail("custom step: network %q: no input %q given (its inputs: %v)", n.name, x.Name, inputNames(n.ins))
			return nil
		}
		if !n.sc.Ok(v) {
			return nil
		}
		if want := inputDType(x); v.DataType() != want {
			v = op.Cast(n.sc.Op("Cast"), v, want)
		}
		in[x.Name] = v
	}
	for k := range xs {
		if !slices.Contains(inputNames(n.ins), k) {
			n.sc.Fail("custom step: network %q has no input %q (its inputs: %v)", n.name, k, inputNames(n.ins))
			return nil
		}
	}
	outs, _ := n.fn.CallGraph(in, training)
	return outs
}

// PredictOutputs calls the functional network name on inputs (by its inputs' names) in
// inference mode and returns its outputs by name (Keras's network.predict): a
// conditional generator on noise and labels. Ints are accepted for an layers.IntInput,
// Floats for the others.
func (c *Custom) PredictOutputs(ctx context.Context, name string, inputs map[string]Array) (map[string]Array, error) {
	n, ok := c.b.nets[name]
	if !ok {
		return nil, fmt.Errorf("predict: no network %q (networks: %v)", name, c.b.order)
	}
	if n.fn == nil {
		return nil, fmt.Errorf("predict: network %q is Sequential: use Predict", name)
	}
	feeds := map[tf.Output]*tf.Tensor{}
	rows := -1
	for _, x := range n.ins {
		a, ok := inputs[x.Name]
		if !ok {
			return nil, fmt.Errorf("predict: network %q: no data for input %q (inputs: %v)", name, x.Name, inputNames(n.ins))
		}
		at := fmt.Sprintf("predict: inputs[%q]", x.Name)
		if err := a.check(at); err != nil {
			return nil, err
		}
		ints := x.DType == configs.DTypeInt32
		if !slices.Equal(a.Shape, []int(x.Shape)) || (a.Ints != nil) != ints {
			return nil, fmt.Errorf("%s: network %q takes %s examples of shape %v, got %v (%s)", at, name, kind(ints), []int(x.Shape), a.Shape, kind(a.Ints != nil))
		}
		if rows >= 0 && a.Len() != rows {
			return nil, fmt.Errorf("%s: %d examples, the others have %d", at, a.Len(), rows)
		}
		rows = a.Len()
		shape := append([]int64{int64(a.Len())}, builders.Shape(a.Shape).Int64s()...)
		var t *tf.Tensor
		var err error
		if ints {
			t, err = graphs.NewTensor(a.Ints, shape...)
		} else {
			t, err = graphs.NewTensor(a.Floats, shape...)
		}
		if err != nil {
			return nil, err
		}
		feeds[n.xs[x.Name]] = t
	}
	for k := range inputs {
		if !slices.Contains(inputNames(n.ins), k) {
			return nil, fmt.Errorf("predict: network %q has no input %q (inputs: %v)", name, k, inputNames(n.ins))
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("predict: %w", err)
	}
	names := slices.Sorted(maps.Keys(n.outs))
	fetch := make([]tf.Output, len(names))
	for i, o := range names {
		fetch[i] = n.outs[o]
	}
	got, err := c.sess.Run(feeds, fetch)
	if err != nil {
		return nil, fmt.Errorf("predict: %w", err)
	}
	shapes := n.fn.OutputShapes()
	out := map[string]Array{}
	for i, o := range names {
		a := Array{Shape: []int(shapes[slices.Index(n.fn.Outputs, o)])}
		for _, v := range graphs.Float64s(got[i]) {
			a.Floats = append(a.Floats, float32(v))
		}
		out[o] = a
	}
	return out, nil
}
