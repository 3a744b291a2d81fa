package classifier

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/runner"
)

// twoHeads makes n examples of two inputs, numbers (3 floats) and ids (4 token ids in
// [0, 10)), and two outputs: class, the index of the largest number, and value, the sum
// of the numbers plus a tenth of the number of ids below 5.
func twoHeads(n int, seed uint64) *Examples {
	rng := rand.New(rand.NewPCG(seed, 5))
	nums, ids := make([]float32, 3*n), make([]int32, 4*n)
	class, value := make([]float32, n), make([]float32, n)
	for i := range n {
		best, sum := 0, 0.0
		for k := range 3 {
			v := rng.Float64()*2 - 1
			nums[3*i+k] = float32(v)
			sum += v
			if v > float64(nums[3*i+best]) {
				best = k
			}
		}
		for k := range 4 {
			ids[4*i+k] = int32(rng.IntN(10))
			if ids[4*i+k] < 5 {
				sum += 0.1
			}
		}
		class[i], value[i] = float32(best), float32(sum)
	}
	return &Examples{
		Inputs: map[string]Tensor{"numbers": {Floats: nums, Shape: builders.Shape{3}}, "ids": {Ints: ids, Shape: builders.Shape{4}}},
		Labels: map[string]Tensor{"class": {Floats: class, Shape: builders.Shape{}}, "value": {Floats: value, Shape: builders.Shape{}}},
	}
}

func twoHeadsModel(t *testing.T) *MultiOutput {
	t.Helper()
	m := builders.NewFunctional("", []string{"numbers", "ids"}, []string{"class", "value"},
		builders.Node{Tensor: "emb", Layer: builders.NewEmbedding("emb", 10, 2), Call: []string{"ids"}},
		builders.Node{Tensor: "pool", Layer: builders.NewGlobalAveragePooling1D("pool"), Call: []string{"emb"}},
		builders.Node{Tensor: "join", Layer: builders.NewConcatenate("join"), Call: []string{"numbers", "pool"}},
		builders.Node{Tensor: "hidden", Layer: builders.NewDense("hidden", 16, "relu"), Call: []string{"join"}},
		builders.Node{Tensor: "class", Layer: builders.NewDense("class", 3, "softmax"), Call: []string{"hidden"}},
		builders.Node{Tensor: "value", Layer: builders.NewDense("value", 1, ""), Call: []string{"hidden"}},
	)
	scce, err := configs.NewLoss(configs.LossSparseCategoricalCrossentropy)
	if err != nil {
		t.Fatal(err)
	}
	mse, err := configs.NewLoss(configs.LossMeanSquaredError)
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewMultiOutput(MultiSpec{
		Model:     m,
		Inputs:    map[string]builders.Shape{"numbers": {3}, "ids": {4}},
		IntInputs: map[string]bool{"ids": true},
		Labels:    map[string]builders.Shape{"class": {}, "value": {}},
		Outputs: []OutputSpec{
			{Name: "class", Loss: scce, Weight: 1, Metrics: []string{configs.MetricAccuracy}},
			{Name: "value", Loss: mse, Weight: 0.5, Metrics: []string{configs.MetricMAE, configs.MetricR2Score}},
		},
		NewOpt: func(s *graphs.Scope) (graphs.Optimizer, error) {
			return graphs.NewAdam(s, "adam", 0.02, graphs.AdamBeta1, graphs.AdamBeta2, graphs.AdamEpsilon), nil
		},
		Seed: 3, Threads: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A model of two inputs and two outputs trains with the runner's loop: its history has
// Keras's names (loss, <output>_loss, <output>_<metric> and their val_ twins, as
// builders/testdata/keras_multi_output.json records Keras's fit logging them), loss is
// the weighted sum of the outputs' losses, and both heads learn.
func TestMultiOutputFits(t *testing.T) {
	c := twoHeadsModel(t)
	defer c.Close()
	train, val := twoHeads(400, 1), twoHeads(100, 2)
	tr, err := newMultiTraining(c, train, val, 20)
	if err != nil {
		t.Fatal(err)
	}
	before, err := c.Evaluate(val, 50)
	if err != nil {
		t.Fatal(err)
	}
	const epochs = 12
	cfg := &configs.Config{Name: "two_heads", Task: configs.TaskClassifier, Seed: 1, Checkpoint: configs.Checkpoint{Every: 1000, Keep: 1}}
	r, err := runner.Begin(cfg, runner.Options{OutDir: t.TempDir()}, runner.Schedule{Epochs: epochs, BatchSize: 20, Shuffle: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	h, err := r.Fit(context.Background(), tr, runner.FitSpec{Examples: train.Len()})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range h.Metrics {
		if k != "learning_rate" && k != "seconds" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	want := []string{"class_accuracy", "class_loss", "loss", "val_class_accuracy", "val_class_loss", "val_loss",
		"val_value_loss", "val_value_mae", "val_value_r2_score", "value_loss", "value_mae", "value_r2_score"}
	if !slices.Equal(keys, want) {
		t.Fatalf("history keys %s, want Keras's %s", strings.Join(keys, " "), strings.Join(want, " "))
	}
	for e := range epochs {
		for _, p := range []string{"", "val_"} {
			total, sum := h.Metrics[p+"loss"][e], h.Metrics[p+"class_loss"][e]+0.5*h.Metrics[p+"value_loss"][e]
			if math.Abs(total-sum) > 1e-5*math.Abs(total) {
				t.Errorf("epoch %d: %sloss %.7f, but %sclass_loss + 0.5·%svalue_loss = %.7f", e, p, total, p, p, sum)
			}
		}
	}
	after, err := c.Evaluate(val, 50)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("validation before %v\nafter %v", before, after)
	if after["class_accuracy"] < 0.85 || after["value_loss"] > before["value_loss"]/4 || after["value_r2_score"] < 0.8 {
		t.Errorf("after %d epochs: class_accuracy %.3f (want ≥ 0.85), value_loss %.4f from %.4f (want a quarter), r2 %.3f (want ≥ 0.8)",
			epochs, after["class_accuracy"], after["value_loss"], before["value_loss"], after["value_r2_score"])
	}
	if got := h.Metrics["val_class_accuracy"][epochs-1]; math.Abs(got-after["class_accuracy"]) > 1e-6 {
		t.Errorf("last val_class_accuracy %.6f, evaluation %.6f", got, after["class_accuracy"])
	}
	pred, err := c.Predict(&Examples{Inputs: val.Inputs}, 33)
	if err != nil {
		t.Fatal(err)
	}
	if len(pred["class"]) != 3*val.Len() || len(pred["value"]) != val.Len() {
		t.Errorf("predictions: %d class values, %d value values, want %d and %d", len(pred["class"]), len(pred["value"]), 3*val.Len(), val.Len())
	}
}

// Data missing an input or an output, or of the wrong length, is refused by name.
func TestMultiOutputDataErrors(t *testing.T) {
	c := twoHeadsModel(t)
	defer c.Close()
	for _, tt := range []struct {
		name string
		edit func(e *Examples)
		want string
	}{
		{"no input", func(e *Examples) { delete(e.Inputs, "ids") }, `no data for the model's input "ids" (data has [numbers])`},
		{"no output", func(e *Examples) { delete(e.Labels, "value") }, `no data for the model's output "value" (data has [class])`},
		{"short output", func(e *Examples) {
			v := e.Labels["value"]
			v.Floats = v.Floats[:9]
			e.Labels["value"] = v
		}, `output "value": 9 values, want 10 examples of shape []`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := twoHeads(10, 1)
			tt.edit(e)
			if _, err := newMultiTraining(c, e, nil, 5); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}
