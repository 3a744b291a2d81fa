package runner

import (
	"context"
	"fmt"
	"sort"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

// A Kind is the running half of a model kind, whose config half is a configs.Kind of the
// same name: how a config of the kind trains, and how tfrun-bench times its steps. The
// kind's package registers it in init (package classifier: the supervised model; package
// gan: the GAN), so cmd/tfrun and tfrun-bench run any kind linked into them by looking the
// config's task up (LookupKind), never by switching on it.
type Kind struct {
	// Name is the task, as the kind's configs.Kind names it.
	Name string
	// Run trains the model cfg describes, as tfrun -config does: Begin, load the data,
	// build the model, Fit, write the run's reports.
	Run func(ctx context.Context, cfg *configs.Config, o Options) error
	// Bench prepares a benchmark of cfg's model (tfrun-bench): it draws random inputs of
	// the model's shapes for o.Steps steps of o.Batch examples and returns build, which
	// builds the model (the benchmark's clock starts before it). Nil if the kind is not
	// benchmarked.
	Bench func(cfg *configs.Config, o BenchOptions) (build func() (Bench, error), err error)
}

// BenchOptions say what a benchmark runs.
type BenchOptions struct {
	Batch   int   // examples per step
	Steps   int   // steps, the untimed warm-up ones included
	Seed    int64 // seeds the weights and the random inputs
	Threads int   // TensorFlow intra-op threads (0: TensorFlow's choice)
}

// A Bench is a model built for a benchmark, with its random inputs.
type Bench interface {
	// Step runs training step i (0 <= i < BenchOptions.Steps) on its batch, as a run's
	// loop does (gather the batch, build its tensors, one train step).
	Step(i int) error
	// TrainableParams is the number of the model's trainable weights.
	TrainableParams() int
	// StepFLOPs counts the FLOPs of one training step on a batch of BenchOptions.Batch
	// examples (graphs.CountFLOPs).
	StepFLOPs() (int64, error)
	// Close releases the model's session.
	Close() error
}

// A ProfiledBench is a Bench whose steps can be traced op by op (tfrun-bench -profile).
type ProfiledBench interface {
	Bench
	// Session is the session Step runs (graphs.Session.Trace traces it).
	Session() *graphs.Session
	// StepFLOPsByOp is StepFLOPs op by op (graphs.FLOPs.ByOp).
	StepFLOPsByOp() (graphs.FLOPs, error)
}

// kinds are the registered kinds by name.
var kinds = map[string]Kind{}

// RegisterKind adds the running half of a model kind; call it from an init function of
// the kind's package. A second registration of a name, or a kind without a name or a Run,
// is a bug and panics.
func RegisterKind(k Kind) {
	if k.Name == "" || k.Run == nil {
		panic("runner: RegisterKind: a kind needs a Name and Run")
	}
	if _, dup := kinds[k.Name]; dup {
		panic("runner: kind " + k.Name + " registered twice")
	}
	kinds[k.Name] = k
}

// LookupKind returns the kind registered as task: an error naming the kinds linked in when
// there is none (a task configs knows but this program does not run).
func LookupKind(task string) (Kind, error) {
	k, ok := kinds[task]
	if !ok {
		names := make([]string, 0, len(kinds))
		for n := range kinds {
			names = append(names, n)
		}
		sort.Strings(names)
		return Kind{}, fmt.Errorf("task %q: no kind of that name runs here (linked in: %v)", task, names)
	}
	return k, nil
}
