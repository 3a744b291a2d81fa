package gan

import (
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/runner"
)

// The GAN, task gan (its config section: configs.Adversarial), runs here.
func init() {
	runner.RegisterKind(runner.Kind{Name: configs.TaskGAN, Run: Run, Bench: bench})
}
