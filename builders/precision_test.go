package builders

import (
	"math"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

// SetPrecision maps the config's precision names (configs.Precisions, their one
// definition) to what the graph computes in, and refuses any other name.
func TestSetPrecision(t *testing.T) {
	for _, tc := range []struct {
		graph     tf.DataType
		precision string
		compute   tf.DataType
		err       string
	}{
		{tf.Float, "", tf.Float, ""},
		{tf.Float, configs.PrecisionFloat32, tf.Float, ""},
		{tf.Float, configs.PrecisionMixedBFloat16, tf.Bfloat16, ""},
		{tf.Double, configs.PrecisionFloat32, tf.Double, ""}, // gradient checks keep float64 throughout
		{tf.Double, configs.PrecisionMixedBFloat16, 0, "needs float32 variables"},
		{tf.Float, "mixed_float16", 0, `unknown dtype policy "mixed_float16" (valid: [float32 mixed_bfloat16])`},
	} {
		g := graphs.NewGraph(tc.graph, 1)
		err := SetPrecision(g, tc.precision)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%v graph, %q: err %v, want %q", tc.graph, tc.precision, err, tc.err)
			}
			continue
		}
		if err != nil || g.ComputeDType() != tc.compute {
			t.Errorf("%v graph, %q: err %v, compute %v; want %v", tc.graph, tc.precision, err, g.ComputeDType(), tc.compute)
		}
	}
}

// Tolerances of the mixed_bfloat16 layer checks. bfloat16 keeps 8 significant bits (unit
// roundoff 2⁻⁹ ≈ 0.002, spacing 2⁻⁸ relative): one layer rounds its input, its weights and
// its result, and sums of a few dozen rounded products, so its output differs from the
// float32 output by a few ulps. maxRelL2 = 2⁻⁵ allows 8 ulps (relative L2 error of the
// whole output); a layer computing in the wrong type or a missing cast is off by far
// more. Gradients go through the same rounding; their direction must agree with
// float32's to a cosine similarity of minCosine.
const (
	maxRelL2  = 1.0 / 32
	minCosine = 0.99
)

// mixedCase is one layer checked under mixed_bfloat16 against float32.
type mixedCase struct {
	name     string
	make     func() Layer // a fresh, unbuilt layer
	in       Shape
	ids      int // > 0: int32 token ids below ids instead of float features
	training bool
}

func mixedCases() []mixedCase {
	lstm := func(impl string, seq bool) func() Layer {
		return func() Layer {
			l := NewLSTM("lstm", 4)
			l.Implementation, l.ReturnSequences = impl, seq
			return l
		}
	}
	gruDropout := func() Layer {
		g := NewGRU("gru", 4)
		g.Dropout, g.ReturnSequences = 0.25, true
		return g
	}
	cases := []mixedCase{
		{"Activation_tanh", func() Layer { return NewActivation("activation", "tanh") }, Shape{6}, 0, true},
		{"Activation_softmax", func() Layer { return NewActivation("activation", "softmax") }, Shape{5}, 0, true},
		{"AveragePooling2D", func() Layer { return NewAveragePooling2D("average_pooling2d", [2]int{2, 2}) }, Shape{4, 4, 3}, 0, true},
		{"BatchNormalization_training", func() Layer { return NewBatchNormalization("batch_normalization") }, Shape{4, 4, 3}, 0, true},
		{"BatchNormalization_inference", func() Layer { return NewBatchNormalization("batch_normalization") }, Shape{6}, 0, false},
		{"Bidirectional_LSTM", func() Layer { return NewBidirectional("bidirectional", lstm(LSTMFused, true)()) }, Shape{5, 3}, 0, true},
		{"Bidirectional_GRU", func() Layer { return NewBidirectional("bidirectional", NewGRU("gru", 3)) }, Shape{5, 3}, 0, true},
		// Not relu here: one of this small case's pre-activations is within bfloat16's
		// rounding of 0, and a ReLU whose input rounds across 0 passes no gradient there
		// (a true bfloat16 effect, which dominates 64 outputs; Dense_relu has relu).
		{"Conv1D", func() Layer { return NewConv1D("conv1d", 4, 3, "tanh") }, Shape{6, 3}, 0, true},
		{"Conv2D_same", func() Layer { return NewConv2D("conv2d", 4, [2]int{3, 3}, [2]int{1, 1}, "same") }, Shape{5, 5, 2}, 0, true},
		{"Conv2D_stride2", func() Layer { return NewConv2D("conv2d", 4, [2]int{5, 5}, [2]int{2, 2}, "same") }, Shape{6, 6, 2}, 0, true},
		{"Conv2DTranspose", func() Layer { return NewConv2DTranspose("conv2d_transpose", 3, [2]int{5, 5}, [2]int{2, 2}, "same") }, Shape{3, 3, 4}, 0, true},
		{"Dense_relu", func() Layer { return NewDense("dense", 5, "relu") }, Shape{6}, 0, true},
		{"Dense_sigmoid", func() Layer { return NewDense("dense", 4, "sigmoid") }, Shape{6}, 0, true},
		{"Dense_sequence", func() Layer { return NewDense("dense", 4, "tanh") }, Shape{5, 3}, 0, true},
		{"Dropout", func() Layer { return NewDropout("dropout", 0.4) }, Shape{6, 3}, 0, true},
		{"Embedding", func() Layer { return NewEmbedding("embedding", 50, 8) }, Shape{7}, 50, true},
		{"Flatten", func() Layer { return NewFlatten("flatten") }, Shape{3, 2, 2}, 0, true},
		{"GlobalAveragePooling1D", func() Layer { return NewGlobalAveragePooling1D("global_average_pooling1d") }, Shape{6, 3}, 0, true},
		{"GlobalAveragePooling2D", func() Layer { return NewGlobalAveragePooling2D("global_average_pooling2d") }, Shape{4, 4, 3}, 0, true},
		{"GlobalMaxPooling1D", func() Layer { return NewGlobalMaxPooling1D("global_max_pooling1d") }, Shape{6, 3}, 0, true},
		{"GRU", func() Layer { return NewGRU("gru", 4) }, Shape{6, 3}, 0, true},
		{"GRU_dropout", gruDropout, Shape{6, 3}, 0, true},
		{"LayerNormalization", func() Layer { return NewLayerNormalization("layer_normalization") }, Shape{6}, 0, true},
		{"LeakyReLU", func() Layer { return NewLeakyReLU("leaky_re_lu", 0.2) }, Shape{6}, 0, true},
		{"LSTM_fused", lstm(LSTMFused, false), Shape{6, 3}, 0, true},
		{"LSTM_unrolled", lstm(LSTMUnrolled, true), Shape{6, 3}, 0, true},
		{"LSTM_cell_kernel", lstm(LSTMCellKernel, false), Shape{6, 3}, 0, true},
		{"LSTM_cell_kernel_sequences", lstm(LSTMCellKernel, true), Shape{6, 3}, 0, true},
		{"LSTM_cell_kernel_split", lstm(LSTMCellKernelSplit, false), Shape{6, 3}, 0, true},
		{"MaxPooling1D", func() Layer { return NewMaxPooling1D("max_pooling1d", 2) }, Shape{6, 3}, 0, true},
		{"MaxPooling2D", func() Layer { return NewMaxPooling2D("max_pooling2d") }, Shape{4, 4, 3}, 0, true},
		{"Reshape", func() Layer { return NewReshape("reshape", 3, 4) }, Shape{12}, 0, true},
		{"SimpleRNN", func() Layer { return NewSimpleRNN("simple_rnn", 4) }, Shape{6, 3}, 0, true},
		{"SpatialDropout1D", func() Layer { return NewSpatialDropout1D("spatial_dropout1d", 0.3) }, Shape{6, 3}, 0, true},
		{"UpSampling2D", func() Layer { return NewUpSampling2D("up_sampling2d") }, Shape{3, 3, 2}, 0, true},
		{"Add", selfMerged(NewAdd("add")), Shape{4, 3}, 0, true},
		{"Subtract", selfMerged(NewSubtract("subtract")), Shape{4, 3}, 0, true},
		{"Multiply", selfMerged(NewMultiply("multiply")), Shape{4, 3}, 0, true},
		{"Average", selfMerged(NewAverage("average")), Shape{4, 3}, 0, true},
		{"Maximum", selfMerged(NewMaximum("maximum")), Shape{4, 3}, 0, true},
		{"Minimum", selfMerged(NewMinimum("minimum")), Shape{4, 3}, 0, true},
		{"Concatenate", selfMerged(NewConcatenate("concatenate")), Shape{4, 3}, 0, true},
		{"Dot_normalize", func() Layer { d := NewDot("dot", [2]int{2, 2}); d.Normalize = true; return selfMerged(d)() }, Shape{4, 3}, 0, true},
		// Preprocessing and augmentation (training: the random transforms).
		{"RandomFlip", func() Layer { return NewRandomFlip("random_flip") }, Shape{4, 5, 2}, 0, true},
		{"RandomTranslation", func() Layer { return NewRandomTranslation("random_translation", 0.3, 0.3) }, Shape{4, 5, 2}, 0, true},
		{"RandomRotation", func() Layer { return NewRandomRotation("random_rotation", 0.2) }, Shape{4, 5, 2}, 0, true},
		{"RandomZoom", func() Layer { return NewRandomZoom("random_zoom", 0.3) }, Shape{4, 5, 2}, 0, true},
		{"RandomCrop", func() Layer { return NewRandomCrop("random_crop", 3, 4) }, Shape{4, 5, 2}, 0, true},
		{"RandomContrast", func() Layer { c := NewRandomContrast("random_contrast", 0.5); c.ValueRange = [2]int{-1, 1}; return c }, Shape{4, 5, 2}, 0, true},
		{"Rescaling", func() Layer { return NewRescaling("rescaling", 1/127.5) }, Shape{4, 5, 2}, 0, true},
		{"Resizing", func() Layer { return NewResizing("resizing", 3, 7) }, Shape{4, 5, 2}, 0, true},
		{"CenterCrop", func() Layer { return NewCenterCrop("center_crop", 3, 3) }, Shape{4, 5, 2}, 0, true},
		{"Normalization", func() Layer { return NewNormalization("normalization") }, Shape{4, 5, 2}, 0, true},
	}
	cases = append(cases, attentionMixedCases()...)
	cases = append(cases, tokenAndPositionMixedCases()...)
	return append(cases, moreMixedCases()...)
}

// selfMerge calls a merge layer on its input and its input's tanh, as one Layer (the
// mixed-precision cases take one input).
type selfMerge struct {
	MergeLayer
	s *graphs.Scope
}

func selfMerged(m MergeLayer) func() Layer { return func() Layer { return &selfMerge{MergeLayer: m} } }

func (m *selfMerge) Build(s *graphs.Scope, in Shape) (Shape, error) {
	m.s = s
	return m.BuildMerge(s, []Shape{in, in})
}

func (m *selfMerge) Call(x tf.Output, training bool) tf.Output {
	return m.CallMerge([]tf.Output{x, op.Tanh(m.s.Op("Tanh"), x)}, training)
}

func (m *selfMerge) computeDType() tf.DataType {
	return m.MergeLayer.(interface{ computeDType() tf.DataType }).computeDType()
}

// Every layer type a config can name has a mixed_bfloat16 case.
func TestMixedCasesCoverEveryLayer(t *testing.T) {
	covered := map[string]bool{}
	for _, c := range mixedCases() {
		covered[c.make().Type()] = true
	}
	for _, typ := range ConfigTypes() {
		if !covered[typ] {
			t.Errorf("layer type %s has no mixed_bfloat16 case", typ)
		}
	}
}

// Under mixed_bfloat16 each layer keeps float32 variables, computes in bfloat16 (or in
// float32 when float32Layers lists it), gives the float32 output to within maxRelL2, and
// gradients (for its variables and its float input, through the casts) whose direction
// matches float32's to minCosine. The float32 gradients these are compared with are the
// ones the numeric checks of gradients_test.go cover.
func TestMixedBFloat16Layers(t *testing.T) {
	for _, c := range mixedCases() {
		t.Run(c.name, func(t *testing.T) {
			want := runMixed(t, configs.PrecisionFloat32, c)
			got := runMixed(t, configs.PrecisionMixedBFloat16, c)
			if want.outDType != tf.Float {
				t.Errorf("float32 policy: output %v, want float32", want.outDType)
			}
			wantDT := tf.Bfloat16
			if _, f32 := float32Layers[c.make().Type()]; f32 {
				wantDT = tf.Float
			}
			if got.outDType != wantDT {
				t.Errorf("mixed_bfloat16: the layer computes in %v, want %v", got.outDType, wantDT)
			}
			for name, dt := range got.varDTypes {
				if dt != tf.Float && graphs.IsFloat(dt) { // an integer count stays integer
					t.Errorf("variable %s is %v, want float32", name, dt)
				}
			}
			if e := relL2(got.out, want.out); e > maxRelL2 || math.IsNaN(e) {
				t.Errorf("output: relative L2 error %.4g vs float32, want ≤ %.4g", e, maxRelL2)
			} else {
				t.Logf("output: relative L2 error %.4g", e)
			}
			if len(got.grads) != len(want.grads) {
				t.Fatalf("%d gradients, float32 has %d", len(got.grads), len(want.grads))
			}
			for i := range got.grads {
				if n := norm(want.grads[i]); n < zeroGradNorm {
					// Zero in exact arithmetic (MultiHeadAttention's key bias: the softmax
					// is shift-invariant): float32's is rounding noise, without a direction.
					if g := norm(got.grads[i]); g > zeroGradNormBF16 {
						t.Errorf("gradient of %s: norm %.3g, float32's %.3g; want ≤ %g", got.gradNames[i], g, n, zeroGradNormBF16)
					}
					continue
				}
				cos := cosine(got.grads[i], want.grads[i])
				if cos < minCosine || math.IsNaN(cos) {
					t.Errorf("gradient of %s: cosine similarity %.5f with float32's, want ≥ %g", got.gradNames[i], cos, minCosine)
				}
			}
		})
	}
}

type mixedRun struct {
	out       []float64
	outDType  tf.DataType
	grads     [][]float64
	gradNames []string
	varDTypes map[string]tf.DataType
}

// runMixed builds c's layer inside a model scope under policy, as Sequential builds a
// layer that is not the last, and returns its output (as float32), and the gradients of
// Σ r·y (r fixed) for its trainable variables and its float input.
func runMixed(t *testing.T, policy string, c mixedCase) mixedRun {
	t.Helper()
	g := graphs.NewGraph(tf.Float, 5)
	if err := SetPrecision(g, policy); err != nil {
		t.Fatal(err)
	}
	root := g.Root()
	ms := modelScope(root.Sub("model"))
	l := c.make()
	if _, err := l.Build(layerScope(ms, l, false), c.in); err != nil {
		t.Fatal(err)
	}
	const batch = 4
	shape := append([]int64{batch}, int64s(c.in)...)
	n := batch * c.in.Size()
	var x tf.Output
	var xt *tf.Tensor
	var err error
	if c.ids > 0 {
		x = root.Placeholder("x", tf.Int32, shape...)
		ids := make([]int32, n)
		for i := range ids {
			ids[i] = int32((i*7 + 3) % c.ids)
		}
		xt, err = graphs.NewTensor(ids, shape...)
	} else {
		x = root.Placeholder("x", tf.Float, shape...)
		vals := make([]float32, n)
		for i := range vals {
			vals[i] = float32(math.Sin(1.7*float64(i) + 0.3))
		}
		xt, err = graphs.NewTensor(vals, shape...)
	}
	if err != nil {
		t.Fatal(err)
	}
	y := callLayer(ms, l, x, c.training)
	if !root.Ok(y) {
		t.Fatal(root.Err())
	}
	run := mixedRun{outDType: y.DataType(), varDTypes: map[string]tf.DataType{}}
	y32 := root.CastTo(y, tf.Float)
	dims, err := y32.Shape().ToSlice()
	if err != nil {
		t.Fatalf("output of unknown rank: %v", err)
	}
	m := 1
	for _, d := range dims {
		m *= int(d)
	}
	r := make([]float32, m)
	for i := range r {
		r[i] = float32(math.Cos(1.3*float64(i) + 0.1))
	}
	flat := op.Reshape(root.Op("Reshape"), y32, root.Const([]int32{-1}))
	loss := op.Sum(root.Op("Sum"), op.Mul(root.Op("Mul"), flat, root.Const(r)), root.Const([]int32{0}))
	var xs []tf.Output
	for _, v := range l.Variables() {
		run.varDTypes[v.Name] = v.DType
		if v.Trainable {
			xs = append(xs, v.Value())
			run.gradNames = append(run.gradNames, v.Name)
		}
	}
	if c.ids == 0 {
		xs = append(xs, x)
		run.gradNames = append(run.gradNames, "input")
	}
	grads, err := root.Gradients(loss, xs)
	if err != nil {
		t.Fatal(err)
	}
	sess, err := graphs.NewSession(g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if err := sess.InitVariables(); err != nil {
		t.Fatal(err)
	}
	out, err := sess.Run(map[tf.Output]*tf.Tensor{x: xt}, append([]tf.Output{y32}, grads...))
	if err != nil {
		t.Fatalf("%s: %v", policy, err)
	}
	run.out = graphs.Float64s(out[0])
	for _, gt := range out[1:] {
		run.grads = append(run.grads, graphs.Float64s(gt))
	}
	return run
}

// A gradient whose float32 norm is below zeroGradNorm is zero up to rounding; under
// mixed_bfloat16 its norm must stay below zeroGradNormBF16 (bfloat16's rounding of the
// same sums; the gradients compared are of order 1).
const (
	zeroGradNorm     = 1e-5
	zeroGradNormBF16 = 1e-2
)

func norm(a []float64) float64 {
	n := 0.0
	for _, x := range a {
		n += x * x
	}
	return math.Sqrt(n)
}

// relL2 is ‖got − want‖ / ‖want‖ (‖got − want‖ when want is zero).
func relL2(got, want []float64) float64 {
	if len(got) != len(want) {
		return math.Inf(1)
	}
	var d, w float64
	for i := range got {
		d += (got[i] - want[i]) * (got[i] - want[i])
		w += want[i] * want[i]
	}
	if w == 0 {
		return math.Sqrt(d)
	}
	return math.Sqrt(d / w)
}

// cosine is the cosine similarity of a and b; 1 when both are zero.
func cosine(a, b []float64) float64 {
	if len(a) != len(b) {
		return math.NaN()
	}
	var ab, aa, bb float64
	for i := range a {
		ab += a[i] * b[i]
		aa += a[i] * a[i]
		bb += b[i] * b[i]
	}
	if aa == 0 && bb == 0 {
		return 1
	}
	return ab / math.Sqrt(aa*bb)
}
