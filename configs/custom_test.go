package configs

import (
	"slices"
	"strings"
	"testing"
)

// A registered loss and metric are found as built-in ones are: by name or class,
// case-insensitively, listed after the built-ins; bad registrations are refused.
func TestRegisterCustom(t *testing.T) {
	t.Cleanup(func() { // the package's other tests list the built-ins
		customMu.Lock()
		defer customMu.Unlock()
		customLosses, customMetrics = nil, nil
	})
	if err := RegisterLoss(LossSpec{Name: "configs_test_loss", Class: "ConfigsTestLoss", Labels: LabelsBinary}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"configs_test_loss", "CONFIGS_TEST_LOSS", "ConfigsTestLoss"} {
		if s := LookupLoss(n); s == nil || s.Name != "configs_test_loss" || s.Labels != LabelsBinary {
			t.Errorf("LookupLoss(%q) = %v", n, s)
		}
	}
	if l, err := NewLoss("configs_test_loss"); err != nil || l.Type != "configs_test_loss" || l.Regression() {
		t.Errorf("NewLoss: %+v, %v", l, err)
	}
	if ts := LossTypes(); ts[len(ts)-1] != "configs_test_loss" || !IsCustomLoss("ConfigsTestLoss") || IsCustomLoss("mse") {
		t.Errorf("LossTypes() = %v; IsCustomLoss wrong", ts)
	}
	if err := RegisterMetric("configs_test_metric"); err != nil {
		t.Fatal(err)
	}
	if ms := MetricNames(); !slices.Contains(ms, "configs_test_metric") || !IsCustomMetric("configs_test_metric") || IsCustomMetric("mae") {
		t.Errorf("MetricNames() = %v", ms)
	}
	for _, c := range []struct {
		err  error
		want string
	}{
		{RegisterLoss(LossSpec{Name: "other", Class: "ConfigsTestLoss", Labels: LabelsReal}), "loss configs_test_loss's"},
		{RegisterLoss(LossSpec{Name: "other", Aliases: []string{"bce"}, Labels: LabelsReal}), "loss binary_crossentropy's"},
		{RegisterLoss(LossSpec{Name: "other", Labels: LabelsReal, Args: []string{"delta"}}), "takes no arguments"},
		{RegisterLoss(LossSpec{Name: "other"}), "not a LabelKind"},
		{RegisterLoss(LossSpec{Name: "9lives", Labels: LabelsReal}), "lower snake case"},
		{RegisterMetric("Configs_Test_Metric"), "lower snake case"},
		{RegisterMetric("configs_test_metric"), "exists"},
		{RegisterMetric("r2_score"), "exists"},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("err = %v, want one containing %q", c.err, c.want)
		}
	}
}
