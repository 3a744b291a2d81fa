package graphs

import (
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/core/protobuf/for_core_protos_go_proto"
	"github.com/wamuir/graft/tensorflow/op"
	"google.golang.org/protobuf/proto"
)

// A graph above GrapplerMaxOps runs without grappler and keeps the rest of its
// ConfigProto; a smaller one keeps grappler and its ConfigProto byte for byte.
func TestRewriteOptions(t *testing.T) {
	in := &for_core_protos_go_proto.ConfigProto{IntraOpParallelismThreads: 3}
	raw, err := proto.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		ops  int
		off  bool
	}{
		{"small", 10, false},
		{"at the limit", GrapplerMaxOps, false},
		{"large", GrapplerMaxOps + 1, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g := NewGraph(tf.Float, 1)
			s := g.Root()
			x := s.Const(float32(1))
			for len(g.tfg.Operations()) < tt.ops {
				x = op.Identity(s.Op("Identity"), x)
			}
			got, err := rewriteOptions(g, raw)
			if err != nil {
				t.Fatal(err)
			}
			cfg := &for_core_protos_go_proto.ConfigProto{}
			if err := proto.Unmarshal(got, cfg); err != nil {
				t.Fatal(err)
			}
			if cfg.IntraOpParallelismThreads != 3 {
				t.Errorf("intra_op_parallelism_threads %d, want 3 (kept)", cfg.IntraOpParallelismThreads)
			}
			off := cfg.GetGraphOptions().GetRewriteOptions().GetDisableMetaOptimizer()
			if off != tt.off {
				t.Errorf("%d operations: disable_meta_optimizer %v, want %v", tt.ops, off, tt.off)
			}
			if !tt.off && string(got) != string(raw) {
				t.Error("the ConfigProto of a small graph changed")
			}
		})
	}
}
