package export

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/core/framework/graph_go_proto"
	"google.golang.org/protobuf/proto"

	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/runner"
)

// Kinds of exported models.
const (
	KindTextClassifier  = "text_classifier"  // raw text in, probabilities out
	KindImageClassifier = "image_classifier" // pixels in, probabilities out
	KindGANGenerator    = "gan_generator"    // noise (and a class) in, images out
	KindTableClassifier = "table_classifier" // a CSV's feature rows in, probabilities out
	KindTableRegressor  = "table_regressor"  // a CSV's feature rows in, predicted values out
)

// builder compiles the model of a kind's config into m (Model.adopt) and adds its
// serving signatures; runDir holds the run's files (a text classifier's vocabulary).
type builder func(m *Model, runDir string, threads int) error

// kindBuilders are the serving signatures of each model kind, by task: each kind's file here
// registers its own (registerKind), and Build looks the config's task up.
var kindBuilders = map[string]builder{}

// registerKind adds the serving signatures of the model kind task; a second registration
// is a bug.
func registerKind(task string, b builder) {
	if _, dup := kindBuilders[task]; dup {
		panic("export: kind " + task + " registered twice")
	}
	kindBuilders[task] = b
}

// Options say which run's weights to export.
type Options struct {
	// RunDir is the run directory the config trained in.
	RunDir string
	// Checkpoint is CheckpointLatest (also ""), CheckpointBest or "ckpt-N".
	Checkpoint string
	// Threads sizes TensorFlow's intra-op pool (0: one per core).
	Threads int
}

// Model is a trained model ready to serve: the graph the config's run trained, with
// serving signatures added beside the training path and the weights of one of the run's
// checkpoints in its session. Its signatures run in process (Run: tfrun predict from a run
// directory) and Write exports them, pruned to the inference path, as a SavedModel; both
// compute the same ops.
type Model struct {
	Config *configs.Config
	// Kind is KindTextClassifier, KindImageClassifier, KindTableClassifier, KindTableRegressor,
	// KindMultiIO, KindGANGenerator, KindArrays or KindNetwork.
	Kind string
	// Checkpoint is the prefix of the checkpoint whose weights the model holds.
	Checkpoint string

	graph  *graphs.Graph
	sess   *graphs.Session
	close  func() error
	sigs   map[string]*signature
	init   *tf.Operation      // fills lookup tables; nil when there are none
	vars   []*graphs.Variable // the variables the signatures read: the SavedModel's variables/
	saver  *saverOps          // the SaverDef's ops
	bundle *checkpoints.Saver // writes variables/
}

// Build compiles the model cfg describes, adds its serving signatures, and restores the
// weights of the run's checkpoint o.Checkpoint. No checkpoint, or one written for another
// model, is an error wrapping checkpoints.ErrNoCheckpoint or checkpoints.ErrMismatch that
// says why; a config whose inputs export does not know one wrapping ErrUnsupported.
func Build(cfg *configs.Config, o Options) (*Model, error) {
	prefix, err := FindCheckpoint(o.RunDir, o.Checkpoint)
	if err != nil {
		return nil, err
	}
	m := &Model{Config: cfg, Checkpoint: prefix, sigs: map[string]*signature{}}
	if build, ok := kindBuilders[cfg.Task]; ok {
		err = build(m, o.RunDir, o.Threads)
	} else {
		err = errorf("building", cfg.File, ErrUnsupported, "task %q: no serving signatures for it (export knows %s)", cfg.Task, strings.Join(slices.Sorted(maps.Keys(kindBuilders)), ", "))
	}
	if err == nil {
		err = m.finish(runner.CheckpointOptions(cfg, o.RunDir))
	}
	if err != nil {
		m.Close()
		return nil, err
	}
	return m, nil
}

// adopt takes the compiled model's graph and session.
func (m *Model) adopt(g *graphs.Graph, sess *graphs.Session, close func() error) {
	m.graph, m.sess, m.close = g, sess, close
}

// finish finds the variables the signatures read, adds the SavedModel's saver ops for
// them, restores the checkpoint (checked against the config's fingerprint and every
// variable of the graph) and runs the init op.
func (m *Model) finish(ck checkpoints.Options) error {
	if err := m.addSaver(); err != nil {
		return err
	}
	ckpt, err := checkpoints.NewCheckpointer(m.graph, m.sess, m.graph.Variables(), ck)
	if err != nil {
		return err
	}
	if _, err := ckpt.Restore(m.Checkpoint, nil); err != nil {
		return err
	}
	if m.init != nil {
		if _, err := m.sess.Run(nil, nil, m.init); err != nil {
			return fmt.Errorf("export: running the init op: %w", tfMessage(err))
		}
	}
	return nil
}

// addSaver finds the variables the signatures read and adds the SavedModel's saver ops
// for them.
func (m *Model) addSaver() error {
	gd, err := graphDef(m.graph)
	if err != nil {
		return err
	}
	_, used, err := prune(gd, m.outputOps())
	if err != nil {
		return err
	}
	for _, name := range used {
		v := m.graph.Variable(name)
		if v == nil {
			return fmt.Errorf("export: the signatures read %s, which is not a model variable", name)
		}
		m.vars = append(m.vars, v)
	}
	m.saver = newSaverOps(m.graph.Root(), m.vars)
	if m.bundle, err = checkpoints.NewSaver(m.graph.Root(), m.vars); err != nil {
		return err
	}
	if err := m.graph.Root().Err(); err != nil {
		return fmt.Errorf("export: building the serving graph: %w", err)
	}
	return nil
}

// outputOps are the ops the signatures' outputs come from, in a fixed order.
func (m *Model) outputOps() []string {
	var names []string
	for _, key := range slices.Sorted(maps.Keys(m.sigs)) {
		for _, o := range m.sigs[key].outputs {
			names = append(names, o.Op.Name())
		}
	}
	return names
}

// Signatures are the model's signatures by key.
func (m *Model) Signatures() map[string]tf.Signature {
	out := make(map[string]tf.Signature, len(m.sigs))
	for k, s := range m.sigs {
		out[k] = s.tfSignature()
	}
	return out
}

// Run runs the signature key on inputs in the model's session.
func (m *Model) Run(key string, inputs map[string]*tf.Tensor) (map[string]*tf.Tensor, error) {
	s, ok := m.sigs[key]
	if !ok {
		return nil, fmt.Errorf("export: no signature %q (signatures: %s)", key, strings.Join(slices.Sorted(maps.Keys(m.sigs)), ", "))
	}
	return runSignature(m.graph.TF(), func(feeds map[tf.Output]*tf.Tensor, fetches []tf.Output) ([]*tf.Tensor, error) {
		return m.sess.Run(feeds, fetches)
	}, key, s.tfSignature(), inputs)
}

// Close releases the session.
func (m *Model) Close() error {
	if m.close == nil {
		return nil
	}
	err := m.close()
	m.close = nil
	return err
}

// graphDef serializes g.
func graphDef(g *graphs.Graph) (*graph_go_proto.GraphDef, error) {
	var buf bytes.Buffer
	if _, err := g.TF().WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("export: serializing the graph: %w", err)
	}
	gd := &graph_go_proto.GraphDef{}
	if err := proto.Unmarshal(buf.Bytes(), gd); err != nil {
		return nil, fmt.Errorf("export: reading the graph: %w", err)
	}
	return gd, nil
}

// prune keeps the nodes targets depend on (through data and control inputs), in their
// order, and returns them with the names of the variables (VarHandleOp nodes) among them.
func prune(gd *graph_go_proto.GraphDef, targets []string) (*graph_go_proto.GraphDef, []string, error) {
	byName := make(map[string]int, len(gd.Node))
	for i, n := range gd.Node {
		byName[n.Name] = i
	}
	keep := make([]bool, len(gd.Node))
	stack := slices.Clone(targets)
	for len(stack) > 0 {
		name := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		i, ok := byName[name]
		if !ok {
			return nil, nil, fmt.Errorf("export: the graph has no node %q", name)
		}
		if keep[i] {
			continue
		}
		keep[i] = true
		for _, in := range gd.Node[i].Input {
			in = strings.TrimPrefix(in, "^")
			if j := strings.LastIndexByte(in, ':'); j >= 0 {
				in = in[:j]
			}
			stack = append(stack, in)
		}
	}
	out := &graph_go_proto.GraphDef{Versions: gd.Versions, Library: gd.Library}
	var vars []string
	for i, n := range gd.Node {
		if keep[i] {
			out.Node = append(out.Node, n)
			if n.Op == "VarHandleOp" {
				vars = append(vars, n.Name)
			}
		}
	}
	return out, vars, nil
}
