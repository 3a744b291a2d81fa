package graphs

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/core/framework/step_stats_go_proto"
	"github.com/wamuir/graft/tensorflow/core/protobuf/for_core_protos_go_proto"
	"google.golang.org/protobuf/proto"
)

// SessionOptions configures a Session.
type SessionOptions struct {
	// IntraOpThreads and InterOpThreads size TensorFlow's thread pools (ConfigProto's
	// intra_op_parallelism_threads / inter_op_parallelism_threads); 0 lets TensorFlow choose.
	// A session with InterOpThreads set runs its ops on an inter-op pool of its own; with
	// 0 it shares the process's (a thread per core).
	IntraOpThreads int
	InterOpThreads int
	// ThreadLayouts gives the session a second inter-op pool, of one thread, beside the
	// one InterOpThreads sizes (ConfigProto.session_inter_op_thread_pool), so that its
	// runs can take either thread layout (SetThreadLayout, ChooseThreadLayout) without a
	// session of their own.
	ThreadLayouts bool
}

// Session runs a Graph.
type Session struct {
	g     *Graph
	tf    *tf.Session
	trace func(*step_stats_go_proto.StepStats) // see Trace

	layouts bool  // SessionOptions.ThreadLayouts
	interOp int   // SessionOptions.InterOpThreads
	pool    int32 // the inter-op pool runs use (RunOptions.inter_op_thread_pool): SetThreadLayout
}

// NewSession creates a session for g. The graph may still grow afterwards (TensorFlow
// extends the session's copy on the next run).
func NewSession(g *Graph, opts SessionOptions) (*Session, error) {
	if err := g.Root().Err(); err != nil {
		return nil, err
	}
	if _, err := TuneMalloc(); err != nil {
		return nil, err
	}
	cfg := &for_core_protos_go_proto.ConfigProto{
		IntraOpParallelismThreads: int32(opts.IntraOpThreads),
		InterOpParallelismThreads: int32(opts.InterOpThreads),
	}
	switch {
	case opts.ThreadLayouts: // pool 0 as InterOpThreads says (0: a thread per core), pool 1 one thread
		cfg.SessionInterOpThreadPool = []*for_core_protos_go_proto.ThreadPoolOptionProto{
			{NumThreads: int32(opts.InterOpThreads)}, {NumThreads: 1}}
	case opts.InterOpThreads > 0:
		// A pool of the session's own: TensorFlow's in-process sessions otherwise share
		// one inter-op pool per process, sized by the first session created
		// (LocalPlatform's, with TensorFlow's default of a thread per core), and ignore
		// every later session's inter_op_parallelism_threads. (A distributed session,
		// StartSessionOn, refuses session pool options: its server's config sizes them.)
		cfg.UsePerSessionThreads = true
	}
	raw, err := proto.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("graphs: encoding ConfigProto: %w", err)
	}
	if raw, err = sessionConfig(g, raw); err != nil {
		return nil, err
	}
	s, err := tf.NewSession(g.tfg, &tf.SessionOptions{Config: raw})
	if err != nil {
		return nil, fmt.Errorf("graphs: creating session: %w", err)
	}
	return &Session{g: g, tf: s, layouts: opts.ThreadLayouts, interOp: opts.InterOpThreads}, nil
}

// SetThreadLayout makes s's later runs take the thread layout form (FormInterOpDefault or
// FormInterOpOne); a session started without SessionOptions.ThreadLayouts has only the
// default one.
func (s *Session) SetThreadLayout(form string) error {
	switch {
	case form == FormInterOpDefault:
		s.pool = 0
	case form == FormInterOpOne && s.layouts:
		s.pool = 1
	case form == FormInterOpOne:
		return fmt.Errorf("graphs: thread layout %s: the session was started without SessionOptions.ThreadLayouts", form)
	default:
		return fmt.Errorf("graphs: unknown thread layout %q (want %s or %s)", form, FormInterOpDefault, FormInterOpOne)
	}
	return nil
}

// ThreadLayout is the thread layout s's runs take (SetThreadLayout).
func (s *Session) ThreadLayout() string {
	if s.pool == 1 {
		return FormInterOpOne
	}
	return FormInterOpDefault
}

// StartSession is how a model starts: a session for g with threads intra-op threads (0:
// TensorFlow's choice) and at most two inter-op threads, its variables initialised.
func StartSession(g *Graph, threads int) (*Session, error) {
	return StartSessionWith(g, SessionOptions{IntraOpThreads: threads, InterOpThreads: min(threads, 2)})
}

// StartSessionWith is StartSession with the thread pools of opts.
func StartSessionWith(g *Graph, opts SessionOptions) (*Session, error) {
	s, err := NewSession(g, opts)
	if err != nil {
		return nil, err
	}
	if err := s.InitVariables(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Scalar reads the value of a scalar variable (a learning rate, a counter) as a float64.
func (s *Session) Scalar(v *Variable) (float64, error) {
	out, err := s.Get(v)
	if err != nil {
		return 0, err
	}
	return Scalar64(out[0]), nil
}

// Close releases the session.
func (s *Session) Close() error { return s.tf.Close() }

// Run runs the graph: feeds, fetches and target ops as tf.Session.Run.
func (s *Session) Run(feeds map[tf.Output]*tf.Tensor, fetches []tf.Output, targets ...*tf.Operation) ([]*tf.Tensor, error) {
	if s.trace != nil || s.pool != 0 {
		return s.runWithOptions(feeds, fetches, targets)
	}
	return s.tf.Run(feeds, fetches, targets)
}

// InitVariables gives every variable its initial value (drawn in Go from the graph seed,
// see Variable), in one run.
func (s *Session) InitVariables() error {
	feeds := map[tf.Output]*tf.Tensor{}
	var targets []*tf.Operation
	for _, v := range s.g.variables {
		vals, err := v.initialValues(s.g.seed)
		if err != nil {
			return err
		}
		t, err := NewTensor(floatsOf(v.DType, vals), v.Shape...)
		if err != nil {
			return fmt.Errorf("graphs: initializing %q: %w", v.Name, err)
		}
		feeds[v.assignIn] = t
		targets = append(targets, v.assignOp)
	}
	if len(targets) == 0 {
		return nil
	}
	if _, err := s.tf.Run(feeds, nil, targets); err != nil {
		return fmt.Errorf("graphs: initializing variables: %w", err)
	}
	return nil
}

// Get fetches the current values of variables.
func (s *Session) Get(vars ...*Variable) ([]*tf.Tensor, error) {
	fetches := make([]tf.Output, len(vars))
	for i, v := range vars {
		fetches[i] = v.value
	}
	out, err := s.tf.Run(nil, fetches, nil)
	if err != nil {
		return nil, fmt.Errorf("graphs: reading variables: %w", err)
	}
	return out, nil
}

// Set assigns values to variables (values[i] to vars[i]) in one run; each tensor must have
// the variable's dtype and shape.
func (s *Session) Set(vars []*Variable, values []*tf.Tensor) error {
	if len(vars) != len(values) {
		return fmt.Errorf("graphs: Set: %d variables, %d values", len(vars), len(values))
	}
	feeds := make(map[tf.Output]*tf.Tensor, len(vars))
	targets := make([]*tf.Operation, len(vars))
	for i, v := range vars {
		t := values[i]
		if t.DataType() != v.DType || !sameShape(t.Shape(), v.Shape) {
			return fmt.Errorf("graphs: variable %q is %v %v, value is %v %v", v.Name, v.DType, v.Shape, t.DataType(), t.Shape())
		}
		feeds[v.assignIn] = t
		targets[i] = v.assignOp
	}
	if _, err := s.tf.Run(feeds, nil, targets); err != nil {
		return fmt.Errorf("graphs: assigning variables: %w", err)
	}
	return nil
}

// SetScalar assigns a scalar variable (a learning rate, a counter).
func (s *Session) SetScalar(v *Variable, x float64) error {
	t, err := NewTensor(floatsOf(v.DType, []float64{x}), v.Shape...)
	if err != nil {
		return err
	}
	return s.Set([]*Variable{v}, []*tf.Tensor{t})
}

func sameShape(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
