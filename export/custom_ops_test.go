package export

import (
	"strings"
	"testing"

	"github.com/wamuir/graft/tensorflow/core/framework/graph_go_proto"
	"github.com/wamuir/graft/tensorflow/core/framework/node_def_go_proto"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/classifier"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/graphs/lstmkernel"
)

// A graph holding one of tfrun's own kernels is refused: Python TensorFlow and TensorFlow
// Serving could not load it.
func TestStripRefusesTfrunOps(t *testing.T) {
	for _, opType := range []string{graphs.OpLSTMCell, graphs.OpLSTMCellGrad, graphs.OpDropoutMask,
		graphs.OpConv2DBackpropFilter, graphs.OpConv2DBackpropInput} {
		g := &graph_go_proto.GraphDef{Node: []*node_def_go_proto.NodeDef{{Name: "lstm/cell", Op: opType}}}
		_, err := stripDefaultAttrs(g)
		if err == nil || !strings.Contains(err.Error(), "tfrun's own kernel") || !strings.Contains(err.Error(), "lstm/cell") {
			t.Errorf("%s: err = %v, want one naming the node and tfrun's own kernel", opType, err)
		}
	}
}

// imdb_tuned trains (batch 512) with tfrun's LSTM cell kernels, and its SavedModel keeps
// TensorFlow's own ops: BlockLSTMV2 (the serving graph's LSTMs are fused, as for batch 1):
// with the kernels turned on by TFRUN_CUSTOM_KERNELS, and with the config naming
// implementation: cell_kernel or cell_kernel_split while autotuning measures
// (servingConfig overrides them all).
func TestLargeBatchLSTMExportsStandardOps(t *testing.T) {
	if testing.Short() {
		t.Skip("builds imdb_tuned three times")
	}
	for _, impl := range []string{"", builders.LSTMCellKernel, builders.LSTMCellKernelSplit} {
		name := "TFRUN_CUSTOM_KERNELS"
		if impl != "" {
			name = "implementation_" + impl
		}
		t.Run(name, func(t *testing.T) {
			cfg, err := configs.Load("../configs/imdb_tuned.yaml")
			if err != nil {
				t.Fatal(err)
			}
			if impl != "" {
				t.Setenv("TFRUN_AUTOTUNE", "1")
				t.Setenv("TFRUN_AUTOTUNE_CACHE", t.TempDir())
				for i := range cfg.Supervised().Model.Layers {
					if l := &cfg.Supervised().Model.Layers[i]; l.Type == configs.LayerLSTM {
						if err := l.Set("implementation", impl); err != nil {
							t.Fatal(err)
						}
					}
				}
			} else {
				t.Setenv(lstmkernel.EnvVar, "1")
			}
			exportsStandardOps(t, cfg)
		})
	}
}

func exportsStandardOps(t *testing.T, cfg *configs.Config) {
	t.Helper()
	c, err := classifier.FromConfig(cfg, builders.Shape{cfg.Data.Maxlen}, true, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	trains := false
	for _, o := range c.Graph().TF().Operations() {
		trains = trains || o.Type() == graphs.OpLSTMCell
	}
	c.Close()
	if !trains {
		t.Fatalf("imdb_tuned's training graph has no %s: the test would prove nothing", graphs.OpLSTMCell)
	}
	m, _ := exportRun(t, cfg, untrainedRun(t, cfg))
	mg, err := m.MetaGraphDef()
	if err != nil {
		t.Fatal(err)
	}
	block := false
	for _, n := range mg.GraphDef.Node {
		if strings.HasPrefix(n.Op, "Tfrun") {
			t.Errorf("node %s: op %s in the SavedModel", n.Name, n.Op)
		}
		block = block || n.Op == "BlockLSTMV2"
	}
	if !block {
		t.Error("no BlockLSTMV2 in the SavedModel")
	}
}
