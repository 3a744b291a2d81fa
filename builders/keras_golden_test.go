package builders

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
)

// kerasGoldenTol is the largest absolute difference allowed between a layer's float32
// output and Keras's (every recorded output is of order 1). The differences come from
// float32 rounding in a different order of operations (one MatMul for all steps' input
// projections, the fused LSTM kernel), and from which kernels TensorFlow runs: with oneDNN
// on (TF_ENABLE_ONEDNN_OPTS=1, the default on Intel) matrix products and convolutions are
// oneDNN's and sum in another order. Measured at bd40617+ on an AMD EPYC Zen 3, worst case
// over all cases: 9.0e-8 with oneDNN off, 4.8e-7 with it on (a Conv1D case). 1e-5 leaves
// a factor of 20 for other CPUs' kernels while still failing on any real mistake (a wrong
// weight layout or activation gives differences of order 1e-2 or more).
const kerasGoldenTol = 1e-5

// kerasGolden is testdata/keras_golden.json, written by testdata/keras/make_golden.py.
type kerasGolden struct {
	Keras      string `json:"keras"`
	TensorFlow string `json:"tensorflow"`
	Cases      []kerasCase
}

type kerasCase struct {
	Name        string         `json:"name"`
	Class       string         `json:"class"`
	LayerName   string         `json:"layer_name"`
	Config      map[string]any `json:"config"`
	InputShape  []int64        `json:"input_shape"`
	Input       []float64      `json:"input"`
	OutputShape []int64        `json:"output_shape"`
	Output      []float64      `json:"output"`
	Weights     []struct {
		Path   string    `json:"path"`
		Shape  []int64   `json:"shape"`
		Values []float64 `json:"values"`
	} `json:"weights"`
}

func loadKerasGolden(t *testing.T) map[string]kerasCase {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "keras_golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g kerasGolden
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatalf("testdata/keras_golden.json: %v", err)
	}
	if g.Keras != "3.15.1" || g.TensorFlow != "2.18.0" {
		t.Fatalf("golden file from Keras %s / TensorFlow %s, want 3.15.1 / 2.18.0", g.Keras, g.TensorFlow)
	}
	cases := map[string]kerasCase{}
	for _, c := range g.Cases {
		cases[c.Name] = c
	}
	return cases
}

// kerasGoldenLayers are tfrun's twins of the recorded Keras layers, keyed by case; a case
// may have several (the LSTM's two implementations).
type kerasGoldenLayer struct {
	golden, variant string
	layer           func() Layer
}

func kerasGoldenLayers() []kerasGoldenLayer {
	layers := []kerasGoldenLayer{
		{"gru", "", func() Layer { return NewGRU("gru", 4) }},
		{"gru_sequences", "", func() Layer { g := NewGRU("gru", 4); g.ReturnSequences = true; return g }},
		{"gru_reset_before", "", func() Layer { g := NewGRU("gru", 4); g.ResetAfter = false; return g }},
		{"gru_go_backwards_sequences", "", func() Layer {
			g := NewGRU("gru", 4)
			g.GoBackwards, g.ReturnSequences = true, true
			return g
		}},
		{"gru_no_bias_relu", "", func() Layer { g := NewGRU("gru", 4); g.UseBias, g.Activation = false, "relu"; return g }},
		{"simple_rnn", "", func() Layer { return NewSimpleRNN("simple_rnn", 4) }},
		{"simple_rnn_sequences_backwards", "", func() Layer {
			r := NewSimpleRNN("simple_rnn", 4)
			r.ReturnSequences, r.GoBackwards = true, true
			return r
		}},
		{"bidirectional_lstm", "fused", func() Layer { return NewBidirectional("bidirectional", NewLSTM("lstm", 4)) }},
		{"bidirectional_lstm", "unrolled", func() Layer {
			l := NewLSTM("lstm", 4)
			l.Implementation = LSTMUnrolled
			return NewBidirectional("bidirectional", l)
		}},
		{"bidirectional_lstm", "cell_kernel", func() Layer {
			l := NewLSTM("lstm", 4)
			l.Implementation = LSTMCellKernel
			return NewBidirectional("bidirectional", l)
		}},
		{"bidirectional_lstm", "cell_kernel_split", func() Layer {
			l := NewLSTM("lstm", 4)
			l.Implementation = LSTMCellKernelSplit
			return NewBidirectional("bidirectional", l)
		}},
		{"bidirectional_lstm_sequences_ave", "cell_kernel", func() Layer {
			l := NewLSTM("lstm", 3)
			l.ReturnSequences, l.Implementation = true, LSTMCellKernel
			b := NewBidirectional("bidirectional", l)
			b.MergeMode = "ave"
			return b
		}},
		{"bidirectional_lstm_sequences_ave", "fused", func() Layer {
			l := NewLSTM("lstm", 3)
			l.ReturnSequences = true
			b := NewBidirectional("bidirectional", l)
			b.MergeMode = "ave"
			return b
		}},
		{"bidirectional_lstm_sequences_ave", "unrolled", func() Layer {
			l := NewLSTM("lstm", 3)
			l.ReturnSequences, l.Implementation = true, LSTMUnrolled
			b := NewBidirectional("bidirectional", l)
			b.MergeMode = "ave"
			return b
		}},
		{"bidirectional_gru_sequences_sum", "", func() Layer {
			g := NewGRU("gru", 4)
			g.ReturnSequences = true
			b := NewBidirectional("bidirectional", g)
			b.MergeMode = "sum"
			return b
		}},
		{"bidirectional_gru_concat_sequences", "", func() Layer {
			g := NewGRU("gru", 2)
			g.ReturnSequences = true
			return NewBidirectional("bidirectional", g)
		}},
		{"bidirectional_simple_rnn_mul", "", func() Layer {
			b := NewBidirectional("bidirectional", NewSimpleRNN("simple_rnn", 4))
			b.MergeMode = "mul"
			return b
		}},
		{"global_max_pooling1d", "", func() Layer { return NewGlobalMaxPooling1D("global_max_pooling1d") }},
		{"global_max_pooling1d_keepdims", "", func() Layer {
			g := NewGlobalMaxPooling1D("global_max_pooling1d")
			g.Keepdims = true
			return g
		}},
		{"global_average_pooling1d", "", func() Layer { return NewGlobalAveragePooling1D("global_average_pooling1d") }},
		{"global_average_pooling2d", "", func() Layer { return NewGlobalAveragePooling2D("global_average_pooling2d") }},
		{"global_average_pooling2d_keepdims", "", func() Layer {
			g := NewGlobalAveragePooling2D("global_average_pooling2d")
			g.Keepdims = true
			return g
		}},
		{"max_pooling2d", "", func() Layer { return NewMaxPooling2D("max_pooling2d") }},
		{"max_pooling2d_same_3x3_s2", "", func() Layer {
			m := NewMaxPooling2D("max_pooling2d")
			m.PoolSize, m.Strides, m.Padding = [2]int{3, 3}, [2]int{2, 2}, "same"
			return m
		}},
		{"average_pooling2d", "", func() Layer { return NewAveragePooling2D("average_pooling2d", [2]int{2, 2}) }},
		{"average_pooling2d_same_3x2_s2x1", "", func() Layer {
			a := NewAveragePooling2D("average_pooling2d", [2]int{3, 2})
			a.Strides, a.Padding = [2]int{2, 1}, "same"
			return a
		}},
		{"up_sampling2d", "", func() Layer { return NewUpSampling2D("up_sampling2d") }},
		{"up_sampling2d_2x3", "", func() Layer { u := NewUpSampling2D("up_sampling2d"); u.Size = [2]int{2, 3}; return u }},
		{"layer_normalization", "", func() Layer { return NewLayerNormalization("layer_normalization") }},
		{"layer_normalization_2d_no_center", "", func() Layer {
			l := NewLayerNormalization("layer_normalization")
			l.Center = false
			return l
		}},
		{"layer_normalization_no_scale", "", func() Layer {
			l := NewLayerNormalization("layer_normalization")
			l.Scale = false
			return l
		}},
		{"spatial_dropout1d_inference", "", func() Layer { return NewSpatialDropout1D("spatial_dropout1d", 0.5) }},
		{"lstm", "fused", func() Layer { return NewLSTM("lstm", 4) }},
		{"lstm", "unrolled", func() Layer { l := NewLSTM("lstm", 4); l.Implementation = LSTMUnrolled; return l }},
		{"lstm_no_bias_sequences", "fused", func() Layer {
			l := NewLSTM("lstm", 4)
			l.UseBias, l.ReturnSequences = false, true
			return l
		}},
		{"lstm_no_bias_sequences", "unrolled", func() Layer {
			l := NewLSTM("lstm", 4)
			l.UseBias, l.ReturnSequences, l.Implementation = false, true, LSTMUnrolled
			return l
		}},
		{"lstm", "cell_kernel", func() Layer { l := NewLSTM("lstm", 4); l.Implementation = LSTMCellKernel; return l }},
		{"lstm_no_bias_sequences", "cell_kernel", func() Layer {
			l := NewLSTM("lstm", 4)
			l.UseBias, l.ReturnSequences, l.Implementation = false, true, LSTMCellKernel
			return l
		}},
		{"lstm", "cell_kernel_split", func() Layer { l := NewLSTM("lstm", 4); l.Implementation = LSTMCellKernelSplit; return l }},
		{"lstm_no_bias_sequences", "cell_kernel_split", func() Layer {
			l := NewLSTM("lstm", 4)
			l.UseBias, l.ReturnSequences, l.Implementation = false, true, LSTMCellKernelSplit
			return l
		}},
		{"dense", "", func() Layer { return NewDense("dense", 3, "") }},
		{"conv1d", "", func() Layer { return NewConv1D("conv1d", 2, 3, "") }},
		{"max_pooling1d", "", func() Layer { return NewMaxPooling1D("max_pooling1d", 2) }},
		{"conv2d", "", func() Layer { return NewConv2D("conv2d", 2, [2]int{3, 3}, [2]int{1, 1}, "valid") }},
		{"conv2d_transpose_s2_same", "", func() Layer {
			return NewConv2DTranspose("conv2d_transpose", 2, [2]int{3, 3}, [2]int{2, 2}, "same")
		}},
		{"leaky_re_lu", "", func() Layer { return NewLeakyReLU("leaky_re_lu", 0.3) }},
		{"re_lu", "", func() Layer { return NewReLU("re_lu") }},
		{"re_lu_max_6", "", func() Layer { r := NewReLU("re_lu"); r.MaxValue = ptr(6.0); return r }},
		{"re_lu_slope", "", func() Layer { r := NewReLU("re_lu"); r.NegativeSlope = 0.1; return r }},
		{"re_lu_threshold", "", func() Layer { r := NewReLU("re_lu"); r.Threshold = 1; return r }},
		{"re_lu_max_2_slope_threshold", "", func() Layer {
			r := NewReLU("re_lu")
			r.MaxValue, r.NegativeSlope, r.Threshold = ptr(2.0), 0.3, 0.5
			return r
		}},
		{"p_re_lu", "", func() Layer { return NewPReLU("p_re_lu") }},
		{"p_re_lu_shared_1_2", "", func() Layer { p := NewPReLU("p_re_lu"); p.SharedAxes = []int{1, 2}; return p }},
		{"elu", "", func() Layer { return NewELU("elu", 1) }},
		{"elu_alpha_half", "", func() Layer { return NewELU("elu", 0.5) }},
		{"softmax", "", func() Layer { return NewSoftmax("softmax", -1) }},
		{"softmax_axis_1", "", func() Layer { return NewSoftmax("softmax", 1) }},
		{"depthwise_conv2d", "", func() Layer { return NewDepthwiseConv2D("depthwise_conv2d", [2]int{3, 3}) }},
		{"depthwise_conv2d_m2_same_s2", "", func() Layer {
			d := NewDepthwiseConv2D("depthwise_conv2d", [2]int{3, 3})
			d.Strides, d.Padding, d.DepthMultiplier = [2]int{2, 2}, "same", 2
			return d
		}},
		{"depthwise_conv2d_dilated_relu", "", func() Layer {
			d := NewDepthwiseConv2D("depthwise_conv2d", [2]int{2, 3})
			d.DilationRate, d.Activation, d.UseBias = [2]int{2, 2}, "relu", false
			return d
		}},
		{"depthwise_conv2d_dilated_strided_same", "", func() Layer {
			d := NewDepthwiseConv2D("depthwise_conv2d", [2]int{3, 3})
			d.Strides, d.DilationRate, d.Padding = [2]int{2, 2}, [2]int{2, 2}, "same"
			return d
		}},
		{"separable_conv2d", "", func() Layer { return NewSeparableConv2D("separable_conv2d", 2, [2]int{3, 3}) }},
		{"separable_conv2d_m2_same_s2", "", func() Layer {
			c := NewSeparableConv2D("separable_conv2d", 4, [2]int{3, 3})
			c.Strides, c.Padding, c.DepthMultiplier = [2]int{2, 2}, "same", 2
			return c
		}},
		{"separable_conv2d_dilated_tanh", "", func() Layer {
			c := NewSeparableConv2D("separable_conv2d", 2, [2]int{2, 2})
			c.DilationRate, c.UseBias, c.Activation = [2]int{2, 2}, false, "tanh"
			return c
		}},
		{"conv2d_dilated", "", func() Layer {
			c := NewConv2D("conv2d", 2, [2]int{3, 3}, [2]int{1, 1}, "valid")
			c.DilationRate = [2]int{2, 2}
			return c
		}},
		{"conv2d_dilated_2x1_same", "", func() Layer {
			c := NewConv2D("conv2d", 2, [2]int{3, 3}, [2]int{1, 1}, "same")
			c.DilationRate = [2]int{2, 1}
			return c
		}},
		{"conv1d_dilated_causal", "", func() Layer {
			c := NewConv1D("conv1d", 2, 2, "")
			c.DilationRate, c.Padding = 2, "causal"
			return c
		}},
		{"zero_padding2d", "", func() Layer { return NewZeroPadding2D("zero_padding2d", SymmetricPadding(1, 1)) }},
		{"zero_padding2d_2x1", "", func() Layer { return NewZeroPadding2D("zero_padding2d", SymmetricPadding(2, 1)) }},
		{"zero_padding2d_0101", "", func() Layer { return NewZeroPadding2D("zero_padding2d", [2][2]int{{0, 1}, {0, 1}}) }},
		{"zero_padding2d_2013", "", func() Layer { return NewZeroPadding2D("zero_padding2d", [2][2]int{{2, 0}, {1, 3}}) }},
		{"dropout_noise_shape_inference", "", func() Layer {
			d := NewDropout("dropout", 0.5)
			d.NoiseShape = []int{-1, 1, 1, 3}
			return d
		}},
		{"cropping2d", "", func() Layer { return NewCropping2D("cropping2d", SymmetricPadding(0, 0)) }},
		{"cropping2d_1x2", "", func() Layer { return NewCropping2D("cropping2d", SymmetricPadding(1, 2)) }},
		{"cropping2d_0120", "", func() Layer { return NewCropping2D("cropping2d", [2][2]int{{0, 1}, {2, 0}}) }},
		{"cropping2d_1203", "", func() Layer { return NewCropping2D("cropping2d", [2][2]int{{1, 2}, {0, 3}}) }},
		{"global_max_pooling2d", "", func() Layer { return NewGlobalMaxPooling2D("global_max_pooling2d") }},
		{"global_max_pooling2d_keepdims", "", func() Layer {
			g := NewGlobalMaxPooling2D("global_max_pooling2d")
			g.Keepdims = true
			return g
		}},
		{"conv1d_transpose", "", func() Layer { return NewConv1DTranspose("conv1d_transpose", 2, 3) }},
		{"conv1d_transpose_s2_same", "", func() Layer {
			c := NewConv1DTranspose("conv1d_transpose", 3, 4)
			c.Strides, c.Padding = 2, "same"
			return c
		}},
		{"conv1d_transpose_s3_valid", "", func() Layer {
			c := NewConv1DTranspose("conv1d_transpose", 2, 2)
			c.Strides = 3
			return c
		}},
		{"time_distributed_dense", "", func() Layer { return NewTimeDistributed("time_distributed", NewDense("dense", 3, "")) }},
		{"time_distributed_conv2d_relu", "", func() Layer {
			c := NewConv2D("conv2d", 2, [2]int{3, 3}, [2]int{1, 1}, "valid")
			c.Activation = "relu"
			return NewTimeDistributed("time_distributed", c)
		}},
		{"time_distributed_flatten", "", func() Layer { return NewTimeDistributed("time_distributed", NewFlatten("flatten")) }},
		{"repeat_vector", "", func() Layer { return NewRepeatVector("repeat_vector", 3) }},
		{"permute_2_1", "", func() Layer { return NewPermute("permute", 2, 1) }},
		{"permute_3_1_2", "", func() Layer { return NewPermute("permute", 3, 1, 2) }},
		{"gaussian_noise", "", func() Layer { return NewGaussianNoise("gaussian_noise", 0.5) }},
		{"gaussian_dropout", "", func() Layer { return NewGaussianDropout("gaussian_dropout", 0.3) }},
		{"identity", "", func() Layer { return NewIdentity("identity") }},
	}
	for _, a := range []string{"elu", "selu", "softplus", "softsign", "hard_sigmoid", "log_softmax", "mish", "gelu",
		"silu", "swish", "relu6", "exponential", "gelu_approximate"} {
		layers = append(layers, kerasGoldenLayer{"activation_" + a, "", func() Layer { return NewActivation("activation", a) }})
	}
	return layers
}

func ptr[T any](v T) *T { return &v }

// Each layer, given Keras's weights and input, computes Keras's output (inference, float32,
// within kerasGoldenTol), and names its weights as Keras does (Keras's path without the
// cell's own scope: "gru/gru_cell/kernel" is tfrun's "gru/kernel").
func TestKerasGolden(t *testing.T) {
	cases := loadKerasGolden(t)
	covered := map[string]bool{}
	for _, tc := range kerasGoldenLayers() {
		name := tc.golden
		if tc.variant != "" {
			name += "/" + tc.variant
		}
		t.Run(name, func(t *testing.T) {
			kc, ok := cases[tc.golden]
			if !ok {
				t.Fatalf("no case %q in testdata/keras_golden.json (run testdata/keras/make_golden.py)", tc.golden)
			}
			covered[tc.golden] = true
			got, worst := runKerasCase(t, tc.layer(), kc)
			if got != nil {
				t.Logf("max |tfrun − Keras| = %.2g over %d values", worst, len(got))
			}
		})
	}
	for name := range cases {
		if !covered[name] {
			t.Errorf("golden case %q has no tfrun layer in kerasGoldenLayers", name)
		}
	}
}

// runKerasCase builds layer for the case's input, assigns Keras's weights, runs it in
// inference and compares; it returns the output and the largest difference.
func runKerasCase(t *testing.T, layer Layer, kc kerasCase) ([]float64, float64) {
	t.Helper()
	if layer.Type() != kc.Class || layer.Name() != kc.LayerName {
		t.Errorf("layer %s (%s), Keras's is %s (%s)", layer.Name(), layer.Type(), kc.LayerName, kc.Class)
	}
	g := graphs.NewGraph(tf.Float, 1)
	in := Shape{}
	for _, d := range kc.InputShape[1:] {
		in = append(in, int(d))
	}
	out, err := layer.Build(g.Root(), in)
	if err != nil {
		t.Fatal(err)
	}
	if want := shapeOf(kc.OutputShape[1:]); out.String() != want.String() {
		t.Errorf("output shape %v, Keras %v", out, want)
	}
	xshape := append([]int64{-1}, kc.InputShape[1:]...)
	x := g.Root().Placeholder("x", tf.Float, xshape...)
	y := op.Identity(g.Root().Op("Identity"), layer.Call(x, false)) // identity layers return x
	vars := layer.Variables()
	if len(vars) != len(kc.Weights) {
		t.Fatalf("%d variables, Keras has %d weights", len(vars), len(kc.Weights))
	}
	values := make([]*tf.Tensor, len(vars))
	for i, w := range kc.Weights {
		if want := kerasWeightName(w.Path); vars[i].Name != want {
			t.Errorf("variable %d: %q, Keras's %q is %q here", i, vars[i].Name, w.Path, want)
		}
		if fmt.Sprint(vars[i].Shape) != fmt.Sprint(w.Shape) {
			t.Fatalf("variable %q: shape %v, Keras %v", vars[i].Name, vars[i].Shape, w.Shape)
		}
		v, err := graphs.NewTensor(float32s(w.Values), w.Shape...)
		if err != nil {
			t.Fatal(err)
		}
		values[i] = v
	}
	sess, err := graphs.NewSession(g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if len(vars) > 0 {
		if err := sess.Set(vars, values); err != nil {
			t.Fatal(err)
		}
	}
	xt, err := graphs.NewTensor(float32s(kc.Input), kc.InputShape...)
	if err != nil {
		t.Fatal(err)
	}
	res, err := sess.Run(map[tf.Output]*tf.Tensor{x: xt}, []tf.Output{y})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(res[0].Shape()) != fmt.Sprint(kc.OutputShape) {
		t.Fatalf("output tensor shape %v, Keras %v", res[0].Shape(), kc.OutputShape)
	}
	got := graphs.Float64s(res[0])
	worst := 0.0
	for i, want := range kc.Output {
		d := math.Abs(got[i] - want)
		worst = math.Max(worst, d)
		if d > kerasGoldenTol {
			t.Errorf("output[%d] = %.8g, Keras %.8g (|diff| %.2g > %g)", i, got[i], want, d, kerasGoldenTol)
			break
		}
	}
	return got, worst
}

// kerasWeightName maps Keras's weight path to tfrun's variable name: the same, without
// the recurrent cell's scope ("…/gru_cell/kernel" → "…/kernel").
func kerasWeightName(path string) string {
	parts := strings.Split(path, "/")
	var out []string
	for i, p := range parts {
		if strings.HasSuffix(p, "_cell") && i == len(parts)-2 {
			continue
		}
		out = append(out, p)
	}
	return strings.Join(out, "/")
}

func shapeOf(dims []int64) Shape {
	s := Shape{}
	for _, d := range dims {
		s = append(s, int(d))
	}
	return s
}

func float32s(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}
