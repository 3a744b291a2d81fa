package export

import (
	"fmt"
	"maps"
	"slices"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/classifier"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/runner"
)

// ArraysIO is what a program fed a model of several inputs or outputs by name (package
// tfrun's Data.Inputs and Data.Outputs): each input's example shape, whether it is int32
// token ids, and each output's label shape (one number: [], or [k]).
type ArraysIO struct {
	Inputs    map[string]builders.Shape
	IntInputs map[string]bool
	Labels    map[string]builders.Shape
}

// BuildArraysMulti is BuildArrays for a functional model of several inputs or outputs
// fed by name: serving_default takes one argument per model input, named as the input
// (float32 [batch, shape...], int32 for token ids), and returns every output by name as
// Keras's predict gives it; an output of one label per example and one row of units
// whose loss classifies also returns o_class_id, o_probability and o_label (classes
// named "0", "1", ...), as a config's data.inputs and data.outputs export does
// (KindMultiIO).
func BuildArraysMulti(cfg *configs.Config, io ArraysIO, o Options) (*Model, error) {
	prefix, err := FindCheckpoint(o.RunDir, o.Checkpoint)
	if err != nil {
		return nil, err
	}
	m := &Model{Config: cfg, Checkpoint: prefix, Kind: KindMultiIO, sigs: map[string]*signature{}}
	err = buildArraysMulti(m, io, o.Threads)
	if err == nil {
		err = m.finish(runner.CheckpointOptions(cfg, o.RunDir))
	}
	if err != nil {
		m.Close()
		return nil, err
	}
	return m, nil
}

func buildArraysMulti(m *Model, io ArraysIO, threads int) error {
	cfg := m.Config
	sup := cfg.Supervised()
	e := &classifier.Examples{Inputs: map[string]classifier.Tensor{}, Labels: map[string]classifier.Tensor{}}
	for name, shape := range io.Inputs {
		t := classifier.Tensor{Shape: shape, Floats: []float32{}}
		if io.IntInputs[name] {
			t.Floats, t.Ints = nil, []int32{}
		}
		e.Inputs[name] = t
	}
	for name, shape := range io.Labels {
		e.Labels[name] = classifier.Tensor{Shape: shape, Floats: []float32{}}
	}
	c, err := classifier.MultiFromExamples(servingConfig(cfg), e, cfg.Seed, threads)
	if err != nil {
		return err
	}
	m.adopt(c.Graph(), c.Session(), c.Close)
	ss := c.Graph().Root().Sub("serving")
	is := ss.Sub("inputs")
	xs := map[string]tf.Output{}
	for _, name := range slices.Sorted(maps.Keys(io.Inputs)) {
		dt := tf.Float
		if io.IntInputs[name] {
			dt = tf.Int32
		}
		xs[name] = is.Placeholder(name, dt, append([]int64{-1}, io.Inputs[name].Int64s()...)...)
	}
	outs, _ := c.Model.CallGraph(xs, false)
	if !ss.Ok() || outs == nil {
		return fmt.Errorf("export: calling the model: %w", ss.Err())
	}
	out, err := outputHeads(ss, cfg.File, c.Model, outs, func(name string, units int) ([]string, error) {
		if sup.Train.OutputLoss(name).Regression() || len(io.Labels[name]) > 0 && io.Labels[name][0] > 1 {
			return nil, nil // a regression, or several labels per example (multi-label)
		}
		return classNames("", max(units, 2)), nil
	})
	if err != nil {
		return err
	}
	m.sigs[DefaultSignature] = &signature{inputs: xs, outputs: out}
	return ss.Err()
}
