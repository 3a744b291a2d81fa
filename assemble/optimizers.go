package assemble

import (
	"fmt"
	"strings"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

// Optimizer builds the optimizer a config names, under a scope named after it in
// Keras's spelling ("adam", "rmsprop", "sgd").
func Optimizer(s *graphs.Scope, o configs.Optimizer) (graphs.Optimizer, error) {
	name := strings.ToLower(o.Type)
	switch o.Type {
	case configs.OptimizerAdam:
		return graphs.NewAdam(s, name, o.LearningRate, o.Beta1, o.Beta2, o.Epsilon), nil
	case configs.OptimizerRMSprop:
		return graphs.NewRMSprop(s, name, o.LearningRate, o.Rho, o.Momentum, o.Epsilon), nil
	case configs.OptimizerSGD:
		return graphs.NewSGD(s, name, o.LearningRate, o.Momentum, o.Nesterov), nil
	}
	return nil, fmt.Errorf("unknown optimizer %q (valid: %v)", o.Type, configs.OptimizerTypes())
}
