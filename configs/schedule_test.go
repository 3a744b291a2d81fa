package configs

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"strings"
	"testing"
)

// Each schedule, given in YAML as Keras's config, gives Keras 3's learning rates at the
// recorded steps (testdata/keras_schedules.json, from testdata/make_schedules_golden.py;
// Keras computes in float32, hence the tolerance).
func TestSchedulesAreKeras(t *testing.T) {
	raw, err := os.ReadFile("testdata/keras_schedules.json")
	if err != nil {
		t.Fatal(err)
	}
	var golden struct {
		Keras string
		Cases []struct {
			Name   string
			Config map[string]any
			Steps  []int64
			Values []float64
		}
	}
	if err := json.Unmarshal(raw, &golden); err != nil {
		t.Fatal(err)
	}
	if golden.Keras != "3.15.1" {
		t.Fatalf("golden file from Keras %s, want 3.15.1", golden.Keras)
	}
	for _, tc := range golden.Cases {
		t.Run(tc.Name, func(t *testing.T) {
			schedule, _ := json.Marshal(tc.Config) // JSON is YAML
			c := mustLoad(t, "s.yaml", edit(t, baseYAML, "epochs: 2", "epochs: 2\n  optimizer: {type: SGD, learning_rate: "+string(schedule)+"}"))
			s := c.Supervised().Train.Optimizer.Schedule
			if s == nil {
				t.Fatal("no schedule")
			}
			if c.Supervised().Train.Optimizer.LearningRate != s.LearningRate(0) {
				t.Errorf("learning_rate %v, want the schedule's at step 0, %v", c.Supervised().Train.Optimizer.LearningRate, s.LearningRate(0))
			}
			for i, step := range tc.Steps {
				got, want := s.LearningRate(step), tc.Values[i]
				if math.Abs(got-want) > 1e-6*math.Abs(want)+1e-9 {
					t.Errorf("step %d: %.10g, Keras %.10g", step, got, want)
				}
			}
		})
	}
}

func TestScheduleErrors(t *testing.T) {
	withLR := func(lr string) string {
		return edit(t, baseYAML, "epochs: 2", "epochs: 2\n  optimizer: {type: Adam, learning_rate: "+lr+"}")
	}
	for _, tc := range []struct {
		name, yaml, key string
		want            error
		also            string
	}{
		{"unknown type", withLR("{type: OneCycle}"), "train.optimizer.learning_rate.type", ErrBadValue, "valid: CosineDecay, ExponentialDecay, PiecewiseConstantDecay"},
		{"missing decay_steps", withLR("{type: ExponentialDecay, initial_learning_rate: 0.1, decay_rate: 0.9}"), "train.optimizer.learning_rate.decay_steps", ErrMissingKey, "for ExponentialDecay"},
		{"key of another schedule", withLR("{type: ExponentialDecay, initial_learning_rate: 0.1, decay_steps: 10, decay_rate: 0.9, alpha: 0.1}"), "train.optimizer.learning_rate.alpha", ErrUnknownKey, ""},
		{"values and boundaries", withLR("{type: PiecewiseConstantDecay, boundaries: [10, 20], values: [0.1, 0.01]}"), "train.optimizer.learning_rate.values", ErrBadValue, "one more value"},
		{"boundaries not increasing", withLR("{type: PiecewiseConstantDecay, boundaries: [20, 10], values: [0.1, 0.01, 0.001]}"), "train.optimizer.learning_rate.boundaries[1]", ErrBadValue, "strictly increasing"},
		{"warmup without target", withLR("{type: CosineDecay, initial_learning_rate: 0.1, decay_steps: 10, warmup_steps: 5}"), "train.optimizer.learning_rate.warmup_steps", ErrBadValue, "without a warmup_target"},
		{"cosine from 0 without warmup", withLR("{type: CosineDecay, initial_learning_rate: 0, decay_steps: 10}"), "train.optimizer.learning_rate.initial_learning_rate", ErrBadValue, "> 0"},
		{"with ReduceLROnPlateau", edit(t, withLR("{type: ExponentialDecay, initial_learning_rate: 0.1, decay_steps: 10, decay_rate: 0.9}"), "validation_data: test", "validation_data: test\n  callbacks: [ReduceLROnPlateau]"),
			"train.callbacks[0].type", ErrBadValue, "Keras refuses it too"},
		{"GAN", edit(t, cganYAML, "  epochs: 1\n", "  epochs: 1\n  generator_optimizer: {type: Adam, learning_rate: {type: ExponentialDecay, initial_learning_rate: 0.1, decay_steps: 10, decay_rate: 0.9}}\n"),
			"gan.generator_optimizer.learning_rate", ErrBadValue, "classifiers (train.optimizer) only"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(writeYAML(t, t.TempDir(), "s.yaml", tc.yaml))
			var e *Error
			if !errors.As(err, &e) || e.Key != tc.key || !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.also) {
				t.Errorf("err = %v\nwant %v at %s mentioning %q", err, tc.want, tc.key, tc.also)
			}
		})
	}
}
