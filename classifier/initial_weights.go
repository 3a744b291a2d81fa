package classifier

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tfrun/tfrun/assemble"
	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/runner"
)

// Keras's transfer-learning recipe: freeze layers (trainable: false, model.base), start
// from another run's weights (train.initial_weights), fine-tune.

// checkSomethingTrains refuses a model whose every weight is frozen: Keras's fit would
// only warn and train nothing.
func checkSomethingTrains(m builders.Model) error {
	if len(m.Variables()) > 0 && len(m.TrainableVariables()) == 0 {
		return assemble.ModelErrorf("no trainable weights: every layer with weights is frozen (trainable: false, or model.base with trainable: false); unfreeze at least one")
	}
	return nil
}

// LoadInitialWeights starts a fresh run of cfg from train.initial_weights: the model's
// weights (weights, in sess) from that run directory, checkpoint or Keras file (converted
// by a registered checkpoints.WeightsConverter, package importer's), matched by layer
// name, as checkpoints.LoadWeightsByLayer does. It says on out which layers were loaded,
// which kept their initializers and which of the file's the model lacks. A resumed run
// (r resumed a checkpoint) continues from its own and only notes that.
func LoadInitialWeights(out io.Writer, cfg *configs.Config, r *runner.Run, sess *graphs.Session, weights []*graphs.Variable) error {
	path := cfg.Supervised().Train.InitialWeights
	if path == "" {
		return nil
	}
	if info := r.Resumed(); info != nil {
		fmt.Fprintf(out, "Note: train.initial_weights (%s) is not used: a resumed run continues from its checkpoint, %s.\n", path, info.Prefix)
		return nil
	}
	scratch, err := os.MkdirTemp("", "tfrun-initial-weights-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(scratch)
	prefix, err := checkpoints.ResolveWeights(path, cfg.File, scratch)
	if err != nil {
		return fmt.Errorf("%s: train.initial_weights: %w", cfg.File, err)
	}
	loaded, err := checkpoints.LoadWeightsByLayer(sess, prefix, weights)
	if err != nil {
		return fmt.Errorf("%s: train.initial_weights: %w", cfg.File, err)
	}
	from := prefix
	if strings.HasPrefix(prefix, scratch) { // converted (a Keras file): name the file, not the scratch copy
		from = path
	}
	fmt.Fprintf(out, "Initial weights from %s: %d layers (%s)\n", from, len(loaded.Layers), strings.Join(loaded.Layers, ", "))
	if len(loaded.Missing) > 0 {
		fmt.Fprintf(out, "Not in the initial weights, keeping their initializers: %s\n", strings.Join(loaded.Missing, ", "))
	}
	if len(loaded.Unused) > 0 {
		fmt.Fprintf(out, "In the initial weights but not in this model (not used): %s\n", strings.Join(loaded.Unused, ", "))
	}
	return nil
}
