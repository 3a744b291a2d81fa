package graphs

import (
	"fmt"

	"github.com/wamuir/graft/tensorflow/core/protobuf/for_core_protos_go_proto"
	"google.golang.org/protobuf/proto"
)

// GrapplerMaxOps is the largest graph, in operations, that a Session hands to grappler,
// TensorFlow's graph optimizer (ConfigProto.graph_options.rewrite_options); a larger graph
// runs as built (RewriterConfig.disable_meta_optimizer). Grappler's passes cost time in
// proportion to the graph before the first step and paid nothing back on tfrun's large
// graphs, measured with one intra-op thread on a 2-core AMD EPYC (Zen 3), CPU seconds:
//
//   - imdb_tuned (10,759 operations: a 200-step unrolled LSTM and its written-out
//     backward): first step 5.1 s with grappler, 1.1 s without; a training step
//     0.46–0.53 s either way; peak RSS 745 vs 810 MiB.
//   - dcgan_mnist (2,706 operations): the whole 4-step run 11.9 and 11.4 s with grappler,
//     11.7 and 11.5 s without.
//
// The shipped models other than imdb_tuned stay under it (imdb_lstm 527 operations,
// imdb_cnn_lstm 672, the DCGANs 2,706) and keep grappler. TensorFlow's oneDNN graph
// rewrite is not a grappler pass and runs either way.
const GrapplerMaxOps = 5000

// rewriteOptions returns the serialized ConfigProto raw (nil: an empty one) with grappler
// turned off when g has more than GrapplerMaxOps operations, and raw unchanged otherwise.
func rewriteOptions(g *Graph, raw []byte) ([]byte, error) {
	if len(g.tfg.Operations()) <= GrapplerMaxOps {
		return raw, nil
	}
	cfg := &for_core_protos_go_proto.ConfigProto{}
	if err := proto.Unmarshal(raw, cfg); err != nil {
		return nil, fmt.Errorf("graphs: decoding ConfigProto: %w", err)
	}
	if cfg.GraphOptions == nil {
		cfg.GraphOptions = &for_core_protos_go_proto.GraphOptions{}
	}
	if cfg.GraphOptions.RewriteOptions == nil {
		cfg.GraphOptions.RewriteOptions = &for_core_protos_go_proto.RewriterConfig{}
	}
	cfg.GraphOptions.RewriteOptions.DisableMetaOptimizer = true
	out, err := proto.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("graphs: encoding ConfigProto: %w", err)
	}
	return out, nil
}
