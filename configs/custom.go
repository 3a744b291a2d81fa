package configs

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Custom losses and metrics are ones a Go program writes (with graph ops, in package
// builders or through the tfrun API) and registers by name, as Keras's
// register_keras_serializable makes a custom object known to keras.losses.get: once
// registered, a config names them as it names a built-in one (train.loss: my_loss,
// train.metrics: [my_metric]). Register them before loading a config that names them,
// typically in an init function or at the start of main.

var (
	customMu      sync.RWMutex
	customLosses  []*LossSpec
	customMetrics []string
)

// customName is what a custom loss or metric may be called: a Python identifier, so that
// its log name (MetricLogName) is itself.
var customName = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// RegisterLoss makes a loss type implemented outside configs known to LookupLoss, NewLoss
// and a config's train.loss. s.Name is its name (lower snake case, not a built-in loss's
// name, class or alias, nor a registered one's) and s.Labels the labels it takes; s.Class
// and s.Aliases are optional other names, s.Args must be empty (a custom loss takes no
// arguments from a config).
func RegisterLoss(s LossSpec) error {
	if !customName.MatchString(s.Name) {
		return fmt.Errorf("register loss %q: a name is lower snake case (%s)", s.Name, customName)
	}
	if s.Labels < LabelsBinary || s.Labels > LabelsReal {
		return fmt.Errorf("register loss %q: labels: %d is not a LabelKind (LabelsBinary, LabelsSparse, LabelsOneHot, LabelsReal)", s.Name, s.Labels)
	}
	if len(s.Args) > 0 {
		return fmt.Errorf("register loss %q: args %v: a custom loss takes no arguments", s.Name, s.Args)
	}
	customMu.Lock()
	defer customMu.Unlock()
	for _, n := range append([]string{s.Name, s.Class}, s.Aliases...) {
		if n == "" {
			continue
		}
		if t := lookupLoss(n); t != nil {
			return fmt.Errorf("register loss %q: the name %q is loss %s's", s.Name, n, t.Name)
		}
	}
	spec := s
	spec.Aliases = slices.Clone(s.Aliases)
	customLosses = append(customLosses, &spec)
	return nil
}

// RegisterMetric makes a metric implemented outside configs known to train.metrics and
// MetricNames: a mean over the examples (Keras's MeanMetricWrapper), logged under its
// name. name is lower snake case, not a built-in or registered metric's.
func RegisterMetric(name string) error {
	if !customName.MatchString(name) {
		return fmt.Errorf("register metric %q: a name is lower snake case (%s)", name, customName)
	}
	customMu.Lock()
	defer customMu.Unlock()
	if _, ok := canonical(name, append(builtinMetricNames(), customMetrics...)); ok {
		return fmt.Errorf("register metric %q: a metric of that name exists", name)
	}
	customMetrics = append(customMetrics, name)
	return nil
}

// IsCustomMetric reports whether metric was registered with RegisterMetric.
func IsCustomMetric(metric string) bool {
	customMu.RLock()
	defer customMu.RUnlock()
	return slices.Contains(customMetrics, metric)
}

// IsCustomLoss reports whether a loss type was registered with RegisterLoss.
func IsCustomLoss(name string) bool {
	customMu.RLock()
	defer customMu.RUnlock()
	return lookupCustomLoss(name) != nil
}

// lookupCustomLoss is LookupLoss among the registered losses; the caller holds customMu.
func lookupCustomLoss(name string) *LossSpec {
	for _, s := range customLosses {
		if strings.EqualFold(name, s.Name) || (s.Class != "" && strings.EqualFold(name, s.Class)) ||
			slices.ContainsFunc(s.Aliases, func(a string) bool { return strings.EqualFold(name, a) }) {
			return s
		}
	}
	return nil
}

// customLossNames and customMetricNames list the registered names, in registration order.
func customLossNames() []string {
	customMu.RLock()
	defer customMu.RUnlock()
	var out []string
	for _, s := range customLosses {
		out = append(out, s.Name)
	}
	return out
}

func customMetricNames() []string {
	customMu.RLock()
	defer customMu.RUnlock()
	return slices.Clone(customMetrics)
}
