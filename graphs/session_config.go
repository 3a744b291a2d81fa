package graphs

import (
	"fmt"
	"os"

	"github.com/wamuir/graft/tensorflow/core/protobuf/for_core_protos_go_proto"
	"google.golang.org/protobuf/proto"
)

// LogDevicePlacementEnv names the environment variable that, set to 1, makes every
// session log the device each op is placed on (ConfigProto.log_device_placement):
// TensorFlow writes one INFO line per op, "name: (Type): /job:.../device:GPU:0", which
// tfrun shows with TF_CPP_MIN_LOG_LEVEL=0 or -v. `make gpu-check` reads them.
const LogDevicePlacementEnv = "TFRUN_LOG_DEVICE_PLACEMENT"

// sessionConfig returns the serialized ConfigProto raw (nil: an empty one) as every tfrun
// session gets it, for graph g (nil: a session that only lists devices):
//
//   - gpu_options.allow_growth, unless raw sets gpu_options: a GPU's memory is taken as
//     ops need it, not all at once, so one run leaves the rest of the GPU to others. The
//     first session of a process sets up its GPU allocator; LocalPlatform's comes first.
//   - log_device_placement when LogDevicePlacementEnv is 1.
//   - grappler off (RewriterConfig.disable_meta_optimizer) for a graph of more than
//     GrapplerMaxOps operations, or with an unrolled LSTM, built for a platform without a
//     GPU (see GrapplerMaxOps).
func sessionConfig(g *Graph, raw []byte) ([]byte, error) {
	cfg := &for_core_protos_go_proto.ConfigProto{}
	if err := proto.Unmarshal(raw, cfg); err != nil {
		return nil, fmt.Errorf("graphs: decoding ConfigProto: %w", err)
	}
	if cfg.GpuOptions == nil {
		cfg.GpuOptions = &for_core_protos_go_proto.GPUOptions{AllowGrowth: true}
	}
	if os.Getenv(LogDevicePlacementEnv) == "1" {
		cfg.LogDevicePlacement = true
	}
	if g != nil && grapplerOff(g) {
		if cfg.GraphOptions == nil {
			cfg.GraphOptions = &for_core_protos_go_proto.GraphOptions{}
		}
		if cfg.GraphOptions.RewriteOptions == nil {
			cfg.GraphOptions.RewriteOptions = &for_core_protos_go_proto.RewriterConfig{}
		}
		cfg.GraphOptions.RewriteOptions.DisableMetaOptimizer = true
	}
	out, err := proto.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("graphs: encoding ConfigProto: %w", err)
	}
	return out, nil
}
