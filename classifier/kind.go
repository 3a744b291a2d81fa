package classifier

import (
	"context"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/runner"
)

// The supervised model, task classifier (its config section: configs.Supervised), runs
// here.
func init() {
	runner.RegisterKind(runner.Kind{
		Name: configs.TaskClassifier,
		Run: func(ctx context.Context, cfg *configs.Config, o runner.Options) error {
			_, err := Run(ctx, cfg, o)
			return err
		},
		Bench: bench,
	})
}
