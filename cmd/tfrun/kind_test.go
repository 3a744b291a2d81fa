package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/internal/runtest"
	"github.com/tfrun/tfrun/runner"
)

// A model kind added by a test, as a contributor adds one (docs/guide/model_kinds.md):
// its section type, its run, and one registration of each half. Task mean_test learns the
// mean of a CSV's label column, one weight trained by SGD on the squared error, through the
// same loop (runner.Fit) every kind trains with. Nothing else of tfrun knows it: Load,
// Validate, the fingerprint, tfrun's command line and export look it up.
const taskMeanTest = "mean_test"

func init() {
	configs.RegisterKind(configs.Kind{
		Name: taskMeanTest,
		New: func() configs.Section {
			return &meanSection{Mean: meanArgs{BatchSize: 8, LearningRate: 0.1}}
		},
		Formats:      []string{configs.FormatCSV},
		Datasets:     []string{}, // none of the built-in data sets
		NoValidation: "a mean_test run",
	})
	runner.RegisterKind(runner.Kind{Name: taskMeanTest, Run: runMean})
}

// meanSection is the kind's own top-level key, mean.
type meanSection struct {
	Mean meanArgs `mapstructure:"mean" tfrun:"required"`
}

type meanArgs struct {
	Epochs       int     `mapstructure:"epochs" tfrun:"required"`
	BatchSize    int     `mapstructure:"batch_size"`
	LearningRate float64 `mapstructure:"learning_rate"`
}

func (s *meanSection) Validate(c *configs.Config) error {
	switch {
	case s.Mean.Epochs <= 0:
		return c.Errorf("mean.epochs", configs.ErrBadValue, "must be > 0, got %d", s.Mean.Epochs)
	case s.Mean.BatchSize <= 0:
		return c.Errorf("mean.batch_size", configs.ErrBadValue, "must be > 0, got %d", s.Mean.BatchSize)
	case !(s.Mean.LearningRate > 0):
		return c.Errorf("mean.learning_rate", configs.ErrBadValue, "must be > 0, got %g", s.Mean.LearningRate)
	}
	return nil
}

func (s *meanSection) ModelDefinition() map[string]any {
	return map[string]any{"mean": map[string]any{"weights": 1}}
}

// runMean is the kind's run: Begin, read the data, build the model, Fit, report.
func runMean(ctx context.Context, cfg *configs.Config, o runner.Options) error {
	s := cfg.Section.(*meanSection)
	r, err := runner.Begin(cfg, o, runner.Schedule{Epochs: s.Mean.Epochs, BatchSize: s.Mean.BatchSize,
		BatchSizeKey: cfg.File + ": mean.batch_size", Shuffle: true})
	if err != nil {
		return err
	}
	defer r.Close()
	table, err := datasets.ReadCSV(cfg.Data.Path, datasets.CSVOptions{Label: cfg.Data.Label.String(), Regression: true})
	if err != nil {
		return err
	}
	m, err := newMeanModel(table.Targets, s.Mean.LearningRate, uint64(r.Seed), o.Threads)
	if err != nil {
		return err
	}
	defer m.sess.Close()
	_, err = r.Fit(ctx, m, runner.FitSpec{Examples: len(table.Targets), Report: func(h *runner.History) error {
		return h.WriteFiles(o.OutDir)
	}})
	return err
}

// meanModel is one weight w minimizing mean((y − w)²) over a batch: its optimum is the
// mean of the targets, its loss there their variance.
type meanModel struct {
	g       *graphs.Graph
	sess    *graphs.Session
	w       *graphs.Variable
	opt     *graphs.SGD
	y, loss tf.Output
	step    *tf.Operation
	targets []float32
}

func newMeanModel(targets []float32, lr float64, seed uint64, threads int) (*meanModel, error) {
	g := graphs.NewGraph(tf.Float, seed)
	s := g.Root()
	m := &meanModel{g: g, targets: targets}
	m.w = s.Sub("mean").NewVariable("w", tf.Float, []int64{1}, graphs.Zeros{}, true)
	m.y = s.Placeholder("y", tf.Float, -1)
	m.loss = op.Mean(s.Op("Mean"), op.Square(s.Op("Square"), op.Sub(s.Op("Sub"), m.y, m.w.Value())), s.Const([]int32{0}))
	m.opt = graphs.NewSGD(s, "SGD", lr, 0, false)
	minimize, err := m.opt.Minimize(s, m.loss, []*graphs.Variable{m.w})
	if err != nil {
		return nil, err
	}
	m.step = s.AdvanceStep(minimize)
	if err := g.Err(); err != nil {
		return nil, err
	}
	if m.sess, err = graphs.StartSession(g, threads); err != nil {
		return nil, err
	}
	return m, m.sess.InitVariables()
}

func (m *meanModel) Graph() *graphs.Graph          { return m.g }
func (m *meanModel) Session() *graphs.Session      { return m.sess }
func (m *meanModel) Variables() []*graphs.Variable { return m.g.Variables() }
func (m *meanModel) Weights() []*graphs.Variable   { return []*graphs.Variable{m.w} }
func (m *meanModel) EndEpoch() (runner.Logs, error) {
	lr, err := m.LearningRate()
	return runner.Logs{"learning_rate": lr}, err
}
func (m *meanModel) LearningRate() (float64, error) { return m.sess.Scalar(m.opt.LearningRate()) }
func (m *meanModel) SetLearningRate(lr float64) error {
	return m.sess.SetScalar(m.opt.LearningRate(), lr)
}

func (m *meanModel) TrainStep(idx []int) (runner.Logs, error) {
	y := make([]float32, len(idx))
	for k, i := range idx {
		y[k] = m.targets[i]
	}
	yt, err := graphs.NewTensor(y, int64(len(y)))
	if err != nil {
		return nil, err
	}
	out, err := m.sess.Run(map[tf.Output]*tf.Tensor{m.y: yt}, []tf.Output{m.loss}, m.step)
	if err != nil {
		return nil, err
	}
	return runner.Logs{"loss": float64(graphs.Value(out[0]).(float32))}, nil
}

// TestKindPlugsIn: a kind registered outside tfrun's packages loads, validates, trains,
// checkpoints and resumes through tfrun's command line, which looks its task up; its
// section is strict as every section is; export says it has no signatures for it.
func TestKindPlugsIn(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("x,y\n")
	for i := range 40 {
		fmt.Fprintf(&b, "%d,%d\n", i, 1+i%5) // y: 1..5, mean 3, variance 2
	}
	csvPath := filepath.Join(dir, "y.csv")
	if err := os.WriteFile(csvPath, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	yaml := fmt.Sprintf("task: mean_test\ndata: {format: csv, path: %s, label: y}\nmean: {epochs: 30, batch_size: 4, learning_rate: 0.05}\n", csvPath)
	config := saveConfig(t, dir, "mean.yaml", yaml)

	cfg, err := configs.Load(config)
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := cfg.Section.(*meanSection); !ok || s.Mean.Epochs != 30 || s.Mean.BatchSize != 4 || cfg.Supervised() != nil || cfg.GAN() != nil {
		t.Fatalf("Load: section %#v, want the mean_test section alone", cfg.Section)
	}
	if !strings.Contains(string(cfg.ModelDefinition()), `"mean":{"weights":1}`) {
		t.Errorf("ModelDefinition %s lacks the kind's model", cfg.ModelDefinition())
	}

	runDir := filepath.Join(dir, "run")
	if code, _, stderr := runCLI(t, "-config", config, "-out", runDir, "-threads", "1", "-epochs", "20"); code != 0 {
		t.Fatalf("training: exit %d: %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "-config", config, "-out", runDir, "-threads", "1", "-resume"); code != 0 {
		t.Fatalf("resuming: exit %d: %s", code, stderr)
	}
	var h struct {
		Epochs  []int                `json:"epochs"`
		Metrics map[string][]float64 `json:"metrics"`
	}
	runtest.ReadJSON(t, filepath.Join(runDir, "history.json"), &h)
	loss := h.Metrics["loss"]
	if len(h.Epochs) != 30 || len(loss) != 30 {
		t.Fatalf("history: %d epochs, %d losses; want 30 (20, then resumed to 30)", len(h.Epochs), len(loss))
	}
	// The loss at w is variance + (w − mean)²: 11 at w = 0, 2 at w = 3. SGD's steps of 4
	// examples keep w near 3 (measured, seed 42: 6.207 in the first epoch, 2.074 in the
	// 30th, under TF_ENABLE_ONEDNN_OPTS=0 and 1 alike).
	t.Logf("loss: %.4g in the first epoch, %.4g in the last", loss[0], loss[29])
	if loss[0] < 4 || math.Abs(loss[29]-2) > 0.15 {
		t.Errorf("loss %.4g in the first epoch, %.4g in the last; want > 4, then 2 ± 0.15 (the variance)", loss[0], loss[29])
	}

	for _, tt := range []struct {
		name, old, new, want string
	}{
		{"section validated", "epochs: 30", "epochs: 0", "mean.epochs: must be > 0, got 0"},
		{"section strict", "epochs: 30", "epoch: 30", "mean.epoch: unknown key"},
		{"section required", "mean: {epochs: 30, batch_size: 4, learning_rate: 0.05}\n", "", "mean: missing; required for task mean_test"},
		{"another kind's section", "mean: {", "model: {layers: [{type: Dense, units: 1}]}\nmean: {", "model: only for task classifier; task mean_test uses mean"},
		{"its data", "{format: csv, path: " + csvPath + ", label: y}", "{dataset: mnist}", `data.dataset: "mnist": not for task mean_test`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bad := saveConfig(t, t.TempDir(), "bad.yaml", strings.Replace(yaml, tt.old, tt.new, 1))
			if code, _, stderr := runCLI(t, "-config", bad, "-out", filepath.Join(dir, "bad")); code != 2 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tt.want)
			}
		})
	}
	if code, _, stderr := runCLI(t, "export", "-config", config, "-run", runDir, "-out", filepath.Join(dir, "models")); code != 2 || !strings.Contains(stderr, `task "mean_test": no serving signatures for it`) {
		t.Errorf("export: exit %d, stderr %q; want 2 and no signatures for mean_test", code, stderr)
	}
}
