package configs

import (
	"errors"
	"strings"
	"testing"
)

// layerCaseYAML is a small MNIST classifier whose second layer (after a Conv2D giving
// [26, 26, 4]) each case below replaces.
const layerCaseYAML = `task: classifier
data: {dataset: mnist}
model:
  layers:
    - {type: Conv2D, filters: 4, kernel_size: 3}
    - LAYER
    - {type: Flatten}
    - {type: Dense, units: 10, activation: softmax}
train: {epochs: 1, loss: sparse_categorical_crossentropy}
`

// Bad arguments of the activation, convolution and shape layers fail at load, at the
// argument's key path, with the sentinel of their kind; good ones load with their shapes.
func TestLayerArgumentErrors(t *testing.T) {
	for _, tt := range []struct {
		name, layer string
		key         string // "" when the layer loads
		want        error
		also        string
	}{
		{"relu max_value null is None", "{type: ReLU, max_value: null}", "", nil, ""},
		{"relu negative max_value", "{type: ReLU, max_value: -1}", "model.layers[1].max_value", ErrBadValue, "must be >= 0, got -1"},
		{"relu negative slope", "{type: ReLU, negative_slope: -0.1}", "model.layers[1].negative_slope", ErrBadValue, "must be >= 0"},
		{"relu negative threshold", "{type: ReLU, threshold: -2}", "model.layers[1].threshold", ErrBadValue, "must be >= 0"},
		{"relu max_value string", "{type: ReLU, max_value: six}", "model.layers[1].max_value", ErrWrongType, "want a number"},
		{"prelu shared_axes", "{type: PReLU, shared_axes: [1, 2]}", "", nil, ""},
		{"prelu shared batch axis", "{type: PReLU, shared_axes: [0]}", "model.layers[1].shared_axes[0]", ErrBadValue, "0 is the batch"},
		{"prelu shared axis beyond rank", "{type: PReLU, shared_axes: [1, 4]}", "model.layers[1].shared_axes[1]", ErrBadValue, "valid: 1 to 3"},
		{"prelu shared axis twice", "{type: PReLU, shared_axes: [2, 2]}", "model.layers[1].shared_axes[1]", ErrBadValue, "axis 2 given twice"},
		{"prelu orthogonal alpha", "{type: PReLU, alpha_initializer: orthogonal}", "model.layers[1].alpha_initializer", ErrBadValue, "orthogonal needs a matrix"},
		{"prelu unknown initializer", "{type: PReLU, alpha_initializer: constant}", "model.layers[1].alpha_initializer", ErrBadValue, "unknown \"constant\""},
		{"elu alpha", "{type: ELU, alpha: 0.5}", "", nil, ""},
		{"elu alpha not a number", "{type: ELU, alpha: [1]}", "model.layers[1].alpha", ErrWrongType, ""},
		{"softmax axis 2", "{type: Softmax, axis: 2}", "", nil, ""},
		{"softmax batch axis", "{type: Softmax, axis: 0}", "model.layers[1].axis", ErrBadValue, "besides the batch axis 0"},
		{"softmax axis beyond rank", "{type: Softmax, axis: 4}", "model.layers[1].axis", ErrBadValue, "valid: 1 to 3, or -3 to -1"},
		{"softmax axis -4", "{type: Softmax, axis: -4}", "model.layers[1].axis", ErrBadValue, "valid: 1 to 3"},
		{"activation gelu_approximate", "{type: Activation, activation: gelu_approximate}", "", nil, ""},
		{"activation swish", "{type: Activation, activation: swish}", "", nil, ""},
		{"depthwise", "{type: DepthwiseConv2D, kernel_size: 3, depth_multiplier: 2, dilation_rate: 2, strides: 2, padding: same}", "", nil, ""},
		{"depthwise unequal strides", "{type: DepthwiseConv2D, kernel_size: 3, strides: [1, 2]}", "model.layers[1].strides", ErrBadValue, "equal strides only"},
		{"depthwise multiplier 0", "{type: DepthwiseConv2D, kernel_size: 3, depth_multiplier: 0}", "model.layers[1].depth_multiplier", ErrBadValue, "must be > 0"},
		{"depthwise without kernel_size", "{type: DepthwiseConv2D}", "model.layers[1].kernel_size", ErrMissingKey, ""},
		{"depthwise dilated kernel too large", "{type: DepthwiseConv2D, kernel_size: 3, dilation_rate: 13}", "model.layers[1].kernel_size", ErrBadValue, "larger than the input image"},
		{"depthwise on a vector", "{type: DepthwiseConv2D, kernel_size: 3}\n    - {type: Flatten}\n    - {type: DepthwiseConv2D, kernel_size: 1}", "model.layers[3]", ErrBadValue, "want (None, height, width, channels)"},
		{"depthwise bad regularizer", "{type: DepthwiseConv2D, kernel_size: 3, depthwise_regularizer: l3}", "model.layers[1].depthwise_regularizer", ErrBadValue, ""},
		{"separable", "{type: SeparableConv2D, filters: 4, kernel_size: 3, pointwise_regularizer: {l2: 0.001}}", "", nil, ""},
		{"separable without filters", "{type: SeparableConv2D, kernel_size: 3}", "model.layers[1].filters", ErrMissingKey, ""},
		{"separable unequal strides", "{type: SeparableConv2D, filters: 2, kernel_size: 3, strides: [2, 1]}", "model.layers[1].strides", ErrBadValue, "equal strides only"},
		{"conv2d dilated", "{type: Conv2D, filters: 2, kernel_size: 3, dilation_rate: [2, 3]}", "", nil, ""},
		{"conv2d dilated and strided", "{type: Conv2D, filters: 2, kernel_size: 3, dilation_rate: 2, strides: 2}", "model.layers[1].dilation_rate", ErrBadValue, "do not go together"},
		{"conv2d dilation 0", "{type: Conv2D, filters: 2, kernel_size: 3, dilation_rate: 0}", "model.layers[1].dilation_rate", ErrBadValue, "must be > 0"},
		{"zero padding", "{type: ZeroPadding2D, padding: [2, 0]}", "", nil, ""},
		{"zero padding negative", "{type: ZeroPadding2D, padding: -1}", "model.layers[1].padding[0]", ErrBadValue, "must be >= 0"},
		{"zero padding asymmetric", "{type: ZeroPadding2D, padding: [[0, 1], [2, 0]]}", "", nil, ""},
		{"zero padding asymmetric negative", "{type: ZeroPadding2D, padding: [[0, 1], [-2, 0]]}", "model.layers[1].padding[1]", ErrBadValue, "must be >= 0, got [-2, 0]"},
		{"zero padding mixed", "{type: ZeroPadding2D, padding: [[0, 1], 2]}", "model.layers[1].padding[1]", ErrWrongType, "a list [before, after]"},
		{"zero padding side of 3", "{type: ZeroPadding2D, padding: [[0, 1, 2], [1, 1]]}", "model.layers[1].padding[0]", ErrBadValue, "got a list of 3"},
		{"zero padding side not int", "{type: ZeroPadding2D, padding: [[0, a], [1, 1]]}", "model.layers[1].padding[0][1]", ErrWrongType, "an integer"},
		{"zero padding list of 3", "{type: ZeroPadding2D, padding: [1, 2, 3]}", "model.layers[1].padding", ErrBadValue, "got a list of 3"},
		{"zero padding string", "{type: ZeroPadding2D, padding: same}", "model.layers[1].padding", ErrWrongType, "[[top, bottom], [left, right]]"},
		{"dropout noise shape", "{type: Dropout, rate: 0.2, noise_shape: [null, 1, 1, 4]}", "", nil, ""},
		{"dropout noise shape rank", "{type: Dropout, rate: 0.2, noise_shape: [null, 1]}", "model.layers[1].noise_shape", ErrBadValue, "noise_shape: (None, 1) has 2 entries, want 4"},
		{"dropout noise shape dim", "{type: Dropout, rate: 0.2, noise_shape: [null, 1, 5, 1]}", "model.layers[1].noise_shape", ErrBadValue, "entry 2 is 5; want null, 1 or the input's dimension 26"},
		{"dropout noise shape batch", "{type: Dropout, rate: 0.2, noise_shape: [8, 1, 1, 1]}", "model.layers[1].noise_shape", ErrBadValue, "the batch entry must be null"},
		{"dropout noise shape not int", "{type: Dropout, rate: 0.2, noise_shape: [null, x, 1, 1]}", "model.layers[1].noise_shape[1]", ErrWrongType, "an integer"},
		{"cropping", "{type: Cropping2D, cropping: [12, 1]}", "", nil, ""},
		{"cropping all", "{type: Cropping2D, cropping: 13}", "model.layers[1].cropping", ErrBadValue, "removes the whole image"},
		{"cropping asymmetric", "{type: Cropping2D, cropping: [[0, 25], [3, 0]]}", "", nil, ""},
		{"cropping asymmetric all", "{type: Cropping2D, cropping: [[0, 26], [3, 0]]}", "model.layers[1].cropping", ErrBadValue, "[[0, 26], [3, 0]] removes the whole image"},
		{"cropping asymmetric negative", "{type: Cropping2D, cropping: [[0, 1], [-1, 0]]}", "model.layers[1].cropping[1]", ErrBadValue, "must be >= 0, got [-1, 0]"},
		{"cropping side of 3", "{type: Cropping2D, cropping: [[0, 1, 2], [1, 1]]}", "model.layers[1].cropping[0]", ErrBadValue, "got a list of 3"},
		{"global max pooling 2d", "{type: GlobalMaxPooling2D, keepdims: true}", "", nil, ""},
		{"conv1d transpose", "{type: Reshape, target_shape: [104, 26]}\n    - {type: Conv1DTranspose, filters: 2, kernel_size: 3, strides: 2, padding: same}", "", nil, ""},
		{"conv1d transpose kernel 0", "{type: Reshape, target_shape: [104, 26]}\n    - {type: Conv1DTranspose, filters: 2, kernel_size: 0}", "model.layers[2].kernel_size", ErrBadValue, "must be > 0"},
		{"conv1d transpose on an image", "{type: Conv1DTranspose, filters: 2, kernel_size: 3}", "model.layers[1]", ErrBadValue, "want (None, steps, channels)"},
		{"time distributed", "{type: TimeDistributed, layer: {type: Dense, units: 3}}", "", nil, ""},
		{"time distributed batch norm", "{type: TimeDistributed, layer: {type: BatchNormalization}}", "model.layers[1].layer.type", ErrBadValue, "cannot be wrapped here"},
		{"time distributed lstm", "{type: TimeDistributed, layer: {type: LSTM, units: 3}}", "model.layers[1].layer.type", ErrBadValue, "cannot be wrapped here"},
		{"time distributed bad inner argument", "{type: TimeDistributed, layer: {type: Dense, units: 0}}", "model.layers[1].layer.units", ErrBadValue, "must be > 0"},
		{"time distributed inner shape", "{type: TimeDistributed, layer: {type: Conv2D, filters: 2, kernel_size: 3}}", "model.layers[1]", ErrBadValue, "want (None, height, width, channels)"},
		{"time distributed without layer", "{type: TimeDistributed}", "model.layers[1].layer", ErrMissingKey, ""},
		{"repeat vector", "{type: Flatten}\n    - {type: RepeatVector, n: 2}", "", nil, ""},
		{"repeat vector on an image", "{type: RepeatVector, n: 2}", "model.layers[1]", ErrBadValue, "want (None, features)"},
		{"repeat vector n 0", "{type: Flatten}\n    - {type: RepeatVector, n: 0}", "model.layers[2].n", ErrBadValue, "must be > 0"},
		{"permute", "{type: Permute, dims: [3, 1, 2]}", "", nil, ""},
		{"permute repeated axis", "{type: Permute, dims: [1, 1, 2]}", "model.layers[1].dims[1]", ErrBadValue, "a permutation of 1 … 3"},
		{"permute batch axis", "{type: Permute, dims: [0, 1, 2]}", "model.layers[1].dims[0]", ErrBadValue, "the batch axis 0 stays first"},
		{"permute too few axes", "{type: Permute, dims: [2, 1]}", "model.layers[1].dims", ErrBadValue, "permutes 2 axes"},
		{"gaussian noise", "{type: GaussianNoise, stddev: 0.1}", "", nil, ""},
		{"gaussian noise stddev 2", "{type: GaussianNoise, stddev: 2}", "model.layers[1].stddev", ErrBadValue, "must be in [0, 1]"},
		{"gaussian noise without stddev", "{type: GaussianNoise}", "model.layers[1].stddev", ErrMissingKey, ""},
		{"gaussian dropout", "{type: GaussianDropout, rate: 0.2}", "", nil, ""},
		{"gaussian dropout rate 1", "{type: GaussianDropout, rate: 1}", "model.layers[1].rate", ErrBadValue, "must be in [0, 1)"},
		{"identity", "{type: Identity}", "", nil, ""},
		{"identity with an argument", "{type: Identity, units: 3}", "model.layers[1].units", ErrUnknownKey, "unknown key for Identity"},
		{"activation hard_silu", "{type: Activation, activation: hard_silu}", "model.layers[1].activation", ErrBadValue, "unknown \"hard_silu\""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			text := strings.Replace(layerCaseYAML, "LAYER", tt.layer, 1)
			path := writeYAML(t, t.TempDir(), "case.yaml", text)
			c, err := Load(path)
			if tt.key == "" {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				if got := c.Supervised().Model.Layers[1].Type; !strings.HasPrefix(tt.layer, "{type: "+got+",") && !strings.HasPrefix(tt.layer, "{type: "+got+"}") {
					t.Errorf("layer type %s, want the one of %s", got, tt.layer)
				}
				return
			}
			if err == nil {
				t.Fatalf("Load succeeded, want an error at %s", tt.key)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, path+": "+tt.key+": ") {
				t.Errorf("error %q\ndoes not start with %q", msg, path+": "+tt.key+": ")
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("error %q is not %v", msg, tt.want)
			}
			if !strings.Contains(msg, tt.also) {
				t.Errorf("error %q\ndoes not contain %q", msg, tt.also)
			}
		})
	}
}

// ReLU's max_value is Keras's None unless given: unset, it is left out of the layer's
// arguments and the README shows None; given, it is set.
func TestReLUMaxValueOptional(t *testing.T) {
	l, err := NewLayer(LayerReLU)
	if err != nil {
		t.Fatal(err)
	}
	if l.Has("max_value") {
		t.Error("a new ReLU has a max_value")
	}
	if err := l.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
	if err := l.Set("max_value", 6); err != nil {
		t.Fatal(err)
	}
	if !l.Has("max_value") || l.Float("max_value") != 6 {
		t.Errorf("max_value %v after Set(6)", l.Float("max_value"))
	}
	spec, _ := LookupLayer(LayerReLU)
	a, _ := spec.Arg("max_value")
	if got := describeArg(a); !strings.HasPrefix(got, "None") {
		t.Errorf("reference shows %q, want None first", got)
	}
}
