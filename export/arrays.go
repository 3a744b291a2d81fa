package export

import (
	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/classifier"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/runner"
)

// KindArrays is a model a program built and fed with arrays (package tfrun's Model built
// in Go): its input as it was fed in, its output out.
const KindArrays = "arrays"

// InputX is the input of a KindArrays model: float32 [batch, shape...], or int32 token
// ids [batch, length] for a model whose first layer is an Embedding.
const InputX = "x"

// BuildArrays is Build for a classifier config whose model a program fed with arrays of
// examples of shape in (int32 token ids when ints) rather than a config's data:
// serving_default takes them as InputX and returns, for a regression loss, prediction
// (the model's output, [batch] for one unit); otherwise the classifier's outputs
// (probability, class_id, label, and probabilities for several units), the classes
// named "0", "1", ...
func BuildArrays(cfg *configs.Config, in builders.Shape, ints bool, o Options) (*Model, error) {
	prefix, err := FindCheckpoint(o.RunDir, o.Checkpoint)
	if err != nil {
		return nil, err
	}
	m := &Model{Config: cfg, Checkpoint: prefix, Kind: KindArrays, sigs: map[string]*signature{}}
	err = buildArrays(m, in, ints, o.Threads)
	if err == nil {
		err = m.finish(runner.CheckpointOptions(cfg, o.RunDir))
	}
	if err != nil {
		m.Close()
		return nil, err
	}
	return m, nil
}

func buildArrays(m *Model, in builders.Shape, ints bool, threads int) error {
	cfg := m.Config
	if cfg.Supervised().Model.MultiIO() {
		return errorf("building", cfg.File, ErrUnsupported, "a model of several inputs or outputs is not yet exported")
	}
	c, err := classifier.FromConfig(servingConfig(cfg), in, ints, cfg.Seed, threads)
	if err != nil {
		return err
	}
	m.adopt(c.Graph(), c.Session(), c.Close)
	ss := c.Graph().Root().Sub("serving")
	dt := tf.Float
	if ints {
		dt = tf.Int32
	}
	x := ss.Placeholder(InputX, dt, append([]int64{-1}, in.Int64s()...)...)
	var out map[string]tf.Output
	if cfg.Supervised().Train.Loss.Regression() {
		out = regressionHead(ss, c.Model, x)
	} else {
		out = classifierHead(ss, c.Model, x, func(n int) []string { return classNames("", n) })
	}
	m.sigs[DefaultSignature] = &signature{inputs: map[string]tf.Output{InputX: x}, outputs: out}
	return ss.Err()
}
