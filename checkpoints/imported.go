package checkpoints

import (
	"encoding/json"
	"fmt"
	"strings"
)

// ImportedFrom is the Keras file a checkpoint was imported from (tfrun import writes it
// in the checkpoint's state as imported_from), or "" for a checkpoint a run wrote or one
// whose sidecar cannot be read.
func ImportedFrom(prefix string) string {
	sc, err := Inspect(prefix)
	if err != nil || len(sc.State) == 0 {
		return ""
	}
	var st struct {
		ImportedFrom string `json:"imported_from"`
	}
	if json.Unmarshal(sc.State, &st) != nil {
		return ""
	}
	return st.ImportedFrom
}

// importedFrom is ImportedFrom(prefix), or "" when there is no checkpoint (prefix "").
func importedFrom(prefix string) string {
	if prefix == "" {
		return ""
	}
	return ImportedFrom(prefix)
}

// importedError refuses a run directory dir whose latest checkpoint, prefix, tfrun import
// wrote of file: it holds the model's weights but no training state (no epoch, optimizer
// step or history of a run), so -resume has nothing to continue, and a fresh run would
// mix its checkpoints with the import's. The imported config starts from the directory
// through train.initial_weights: its run belongs in another directory. -resume is
// ErrNoCheckpoint, the others ErrCheckpointsExist (exit 2 on the command line).
func importedError(dir, prefix, file string, p Policy) error {
	what := fmt.Sprintf("%s holds %s, which tfrun import wrote of %s: the model's weights, and no training", dir, prefix, file)
	const todo = "A run of its config starts from these weights (train.initial_weights names the directory), from epoch 0: run it without -resume, into another directory (-out DIR)"
	switch {
	case p.Resume:
		return fmt.Errorf("%w: %s to resume. %s", ErrNoCheckpoint, what, todo)
	case p.ResumeOrStart:
		return fmt.Errorf("%w: %s to resume, and a fresh run does not train into it. %s", ErrCheckpointsExist, what, todo)
	}
	return fmt.Errorf("%w: %s; a run does not train into it. %s", ErrCheckpointsExist, what, strings.Replace(todo, "run it without -resume, into", "run it into", 1))
}
