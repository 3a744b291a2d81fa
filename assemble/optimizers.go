package assemble

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

// An optimizer type configs knows (configs.OptimizerSpec: arguments, defaults and
// validation, without TensorFlow) is built here from graphs' optimizer of the same name:
// one registration per type, below. Optimizer is the one way from a config to an
// optimizer; the tests build and run every registered type.

// optimizerBuilder makes the optimizer o describes, under scope name, from the arguments
// of its own type (Optimizer sets the base-optimizer options every type shares).
type optimizerBuilder func(s *graphs.Scope, name string, o configs.Optimizer) graphs.Optimizer

// optimizerBuilders holds the registered builders by configs optimizer type; only init
// writes it.
var optimizerBuilders = map[string]optimizerBuilder{}

// registerOptimizer registers how a configs optimizer type is built. A type configs does
// not know, or one registered twice, is a programming error, caught at start-up.
func registerOptimizer(typ string, f optimizerBuilder) {
	if _, ok := configs.LookupOptimizer(typ); !ok {
		panic("assemble: registerOptimizer: configs has no optimizer type " + typ)
	}
	if _, dup := optimizerBuilders[typ]; dup {
		panic("assemble: registerOptimizer: " + typ + " registered twice")
	}
	optimizerBuilders[typ] = f
}

func init() {
	registerOptimizer(configs.OptimizerAdam, func(s *graphs.Scope, name string, o configs.Optimizer) graphs.Optimizer {
		return graphs.NewAdam(s, name, o.LearningRate, o.Beta1, o.Beta2, o.Epsilon)
	})
	registerOptimizer(configs.OptimizerAdamW, func(s *graphs.Scope, name string, o configs.Optimizer) graphs.Optimizer {
		return graphs.NewAdamW(s, name, o.LearningRate, o.WeightDecay, o.Beta1, o.Beta2, o.Epsilon)
	})
	registerOptimizer(configs.OptimizerAdagrad, func(s *graphs.Scope, name string, o configs.Optimizer) graphs.Optimizer {
		return graphs.NewAdagrad(s, name, o.LearningRate, o.InitialAccumulatorValue, o.Epsilon)
	})
	registerOptimizer(configs.OptimizerAdadelta, func(s *graphs.Scope, name string, o configs.Optimizer) graphs.Optimizer {
		return graphs.NewAdadelta(s, name, o.LearningRate, o.Rho, o.Epsilon)
	})
	registerOptimizer(configs.OptimizerAdamax, func(s *graphs.Scope, name string, o configs.Optimizer) graphs.Optimizer {
		return graphs.NewAdamax(s, name, o.LearningRate, o.Beta1, o.Beta2, o.Epsilon)
	})
	registerOptimizer(configs.OptimizerNadam, func(s *graphs.Scope, name string, o configs.Optimizer) graphs.Optimizer {
		return graphs.NewNadam(s, name, o.LearningRate, o.Beta1, o.Beta2, o.Epsilon)
	})
	registerOptimizer(configs.OptimizerLion, func(s *graphs.Scope, name string, o configs.Optimizer) graphs.Optimizer {
		return graphs.NewLion(s, name, o.LearningRate, o.Beta1, o.Beta2)
	})
	registerOptimizer(configs.OptimizerRMSprop, func(s *graphs.Scope, name string, o configs.Optimizer) graphs.Optimizer {
		return graphs.NewRMSprop(s, name, o.LearningRate, o.Rho, o.Momentum, o.Epsilon)
	})
	registerOptimizer(configs.OptimizerSGD, func(s *graphs.Scope, name string, o configs.Optimizer) graphs.Optimizer {
		return graphs.NewSGD(s, name, o.LearningRate, o.Momentum, o.Nesterov)
	})
}

// Optimizer builds the optimizer a config names, under a scope named after it in
// Keras's spelling ("adam", "adamw", "rmsprop", "sgd", ...), with the config's
// weight_decay and clipping.
func Optimizer(s *graphs.Scope, o configs.Optimizer) (graphs.Optimizer, error) {
	f, ok := optimizerBuilders[o.Type]
	if !ok {
		return nil, fmt.Errorf("unknown optimizer %q (valid: %v)", o.Type, OptimizerTypes())
	}
	opt := f(s, strings.ToLower(o.Type), o)
	opt.SetOptions(graphs.OptimizerOptions{WeightDecay: o.WeightDecay, Clipnorm: o.Clipnorm,
		GlobalClipnorm: o.GlobalClipnorm, Clipvalue: o.Clipvalue, SparseEmbeddingGradients: o.SparseEmbeddingGradients})
	return opt, nil
}

// OptimizerTypes returns the configs optimizer types Optimizer builds, sorted.
func OptimizerTypes() []string {
	var types []string
	for t := range optimizerBuilders {
		types = append(types, t)
	}
	sort.Strings(types)
	return types
}
