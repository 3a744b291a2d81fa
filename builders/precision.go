package builders

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

// SetPrecision sets the graph's dtype policy from a config's precision (Keras's policy
// names, configs.Precisions): configs.PrecisionFloat32 (or "") computes in the graph's
// DType, configs.PrecisionMixedBFloat16 in bfloat16 (graphs.Graph.SetComputeDType).
func SetPrecision(g *graphs.Graph, precision string) error {
	switch precision {
	case configs.PrecisionFloat32, "":
		return g.SetComputeDType(g.DType())
	case configs.PrecisionMixedBFloat16:
		return g.SetComputeDType(tf.Bfloat16)
	}
	return fmt.Errorf("builders: unknown dtype policy %q (valid: %v)", precision, configs.Precisions())
}

// Mixed precision, Keras's mixed_bfloat16 policy (SetPrecision), in one place:
//
//   - a model (Sequential, Functional) builds its layers in a scope computing in the graph's
//     ComputeDType (bfloat16), so each layer's constants and random draws are bfloat16;
//   - a layer's variables stay float32 (base.variable uses the graph's DType) and the
//     layer reads them through Scope.Read, a bfloat16 Cast whose gradient is float32;
//   - callLayer casts each floating-point input to the type its layer computes in: the
//     casts at layer boundaries Keras's Layer.__call__ makes;
//   - BatchNormalization takes and returns bfloat16 and computes its statistics in
//     float32 inside FusedBatchNormV3, as Keras's layer casts x up and y back down;
//   - the layers in float32Layers, and a model's last layer, compute in float32 (their
//     input cast up, the next layer's input cast back down), so the outputs losses and
//     metrics see (the final sigmoid or softmax) are float32, as Keras's guide asks of the
//     last layer.
//
// Under the float32 policy (and the float64 of gradient checks) every dtype here is the
// graph's DType and no Cast is added.

// float32Layers are the layer types that compute in float32 under a mixed policy, and why.
var float32Layers = map[string]string{
	// Not BatchNormalization: Keras computes its moments in float32 under mixed policies
	// (keras/src/layers/normalization/batch_normalization.py casts float16/bfloat16
	// inputs up, and its output back down), and so does FusedBatchNormV3 given a
	// bfloat16 x with float32 statistics, which BatchNormalization.Call uses.
	// Keras's ops.layer_normalization computes in at least float32 ("for stability in
	// half precision") and casts the result back; here the whole layer does.
	"LayerNormalization": "mean and variance in float32, as Keras",
	// Keras's ops.mean (TensorFlow backend) reduces in float32 and casts the result back;
	// TensorFlow's bfloat16 Mean loses most of a small mean's digits (measured: 7% error
	// on a 4×4 average of ±1 values).
	"GlobalAveragePooling1D": "the mean in float32, as Keras's ops.mean",
	"GlobalAveragePooling2D": "the mean in float32, as Keras's ops.mean",
	// BlockLSTMV2 has no bfloat16 CPU kernel. The unrolled cell runs in bfloat16, but
	// slower: imdb_tuned's LSTM(64) over 200 steps under mixed_bfloat16 (tfrun-bench, 2
	// cores, loaded machine) trained 357–420 ex/s with the fused float32 kernel against
	// 308–337 unrolled in bfloat16 at batch 32, and at batch 512 222 ex/s unrolled in
	// float32 (assemble's choice there), 328 fused in float32, 143 unrolled in bfloat16
	// (bfloat16 MatMul is slower than float32's on CPUs without AVX512_BF16). So LSTM
	// computes in float32 by default; under mixed_bfloat16 autotuning also measures the
	// unrolled forms in bfloat16 (LSTMMixedCandidates, lstmFormCall), which compute the
	// cell in bfloat16 inside this float32 layer where they win.
	"LSTM": "BlockLSTMV2 is float32-only and faster than a bfloat16 unrolled cell here (the _bfloat16 forms, chosen by measuring, compute in bfloat16)",
}

// Float32Layers returns the layer types that compute in float32 under a mixed policy,
// with the reason for each.
func Float32Layers() map[string]string {
	out := make(map[string]string, len(float32Layers))
	for k, v := range float32Layers {
		out[k] = v
	}
	return out
}

// modelScope is the scope a model's layers build in: s computing in the graph's
// ComputeDType.
func modelScope(s *graphs.Scope) *graphs.Scope {
	return s.WithDType(s.Graph().ComputeDType())
}

// layerScope is the scope layer l builds in, inside s: s itself, or s in the graph's
// DType (float32) under a mixed policy when l is a model's last layer or of a type in
// float32Layers. A layer inside a float32 scope (a wrapped LSTM of a last Bidirectional)
// stays float32.
func layerScope(s *graphs.Scope, l Layer, last bool) *graphs.Scope {
	g := s.Graph()
	if !g.Mixed() {
		return s
	}
	if _, f32 := float32Layers[l.Type()]; f32 || last {
		return s.WithDType(g.DType())
	}
	return s
}

// computeDType is the type a built layer computes in.
func computeDType(l Layer) (tf.DataType, bool) {
	c, ok := l.(interface{ computeDType() tf.DataType })
	if !ok {
		return 0, false
	}
	dt := c.computeDType()
	return dt, dt != 0
}

// callLayer calls l on x cast to the type l computes in (x unchanged when it is not
// floating-point, or already of that type).
func callLayer(s *graphs.Scope, l Layer, x tf.Output, training bool) tf.Output {
	if dt, ok := computeDType(l); ok {
		x = s.CastTo(x, dt)
	}
	return l.Call(x, callTraining(l, training))
}
