package export

import (
	"fmt"
	"slices"
	"strings"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/core/framework/tensor_shape_go_proto"
	"github.com/wamuir/graft/tensorflow/core/framework/types_go_proto"
	"github.com/wamuir/graft/tensorflow/core/protobuf/for_core_protos_go_proto"
	"maps"
)

// Signature keys and method names of the SavedModels tfrun writes.
const (
	// DefaultSignature is what TensorFlow Serving, saved_model_cli and Keras's TFSMLayer
	// call when no signature is named (tf.saved_model.DEFAULT_SERVING_SIGNATURE_DEF_KEY).
	DefaultSignature = "serving_default"
	// TokenIDsSignature (text classifiers) takes the padded token ids [batch, maxlen] int32.
	TokenIDsSignature = "token_ids"
	// TokenizeSignature (text classifiers) returns the token ids of raw text: the in-graph
	// tokenizer alone.
	TokenizeSignature = "tokenize"
	// FloatImagesSignature (image classifiers) takes float32 pixels in [0, 255].
	FloatImagesSignature = "float_images"
	// PredictMethod is TensorFlow Serving's predict API (signature_constants.PREDICT_METHOD_NAME).
	PredictMethod = "tensorflow/serving/predict"
	// initOpSignature names the op TensorFlow's loaders run after restoring the variables
	// (signature_constants' INIT_OP_SIGNATURE_KEY).
	initOpSignature = "__saved_model_init_op"
)

// Input and output names of the signatures.
const (
	InputText     = "text"      // string [batch]
	InputTokenIDs = "token_ids" // int32 [batch, maxlen]
	InputImages   = "images"    // uint8 or float32 [batch, h, w, c]
	InputNoise    = "noise"     // float32 [batch, noise_dim]
	InputClassID  = "class_id"  // int32 [batch]: the class a conditional GAN draws

	OutputProbability   = "probability"   // float32 [batch]: P(class 1), or of the predicted class
	OutputProbabilities = "probabilities" // float32 [batch, classes] (multi-class models)
	OutputClassID       = "class_id"      // int64 [batch]: the predicted class
	OutputLabel         = "label"         // string [batch]: the predicted class's name
	OutputPrediction    = "prediction"    // float32 [batch] (one output) or [batch, k]: a regression's values
	OutputTokenIDs      = "token_ids"     // int32 [batch, maxlen] (tokenize)
	OutputImages        = "images"        // uint8 [batch, h, w, c] (GAN generators)
)

// signature is one SignatureDef while the graph is built: named graph tensors.
type signature struct {
	inputs, outputs map[string]tf.Output
}

// tensorName is a tensor's name in a GraphDef: "op:index".
func tensorName(o tf.Output) string { return fmt.Sprintf("%s:%d", o.Op.Name(), o.Index) }

// tensorInfo describes o for a SignatureDef: its name, dtype and static shape.
func tensorInfo(o tf.Output) (*for_core_protos_go_proto.TensorInfo, error) {
	shape := &tensor_shape_go_proto.TensorShapeProto{}
	dims, err := o.Shape().ToSlice()
	if err != nil {
		shape.UnknownRank = true
	}
	for _, d := range dims {
		shape.Dim = append(shape.Dim, &tensor_shape_go_proto.TensorShapeProto_Dim{Size: d})
	}
	return &for_core_protos_go_proto.TensorInfo{
		Encoding:    &for_core_protos_go_proto.TensorInfo_Name{Name: tensorName(o)},
		Dtype:       types_go_proto.DataType(o.DataType()),
		TensorShape: shape,
	}, nil
}

// def is the signature's SignatureDef.
func (s *signature) def() (*for_core_protos_go_proto.SignatureDef, error) {
	//lint:ignore SA1019 TensorFlow Serving's method name: TF 2 sets it too, and servers before 2.4 check it
	d := &for_core_protos_go_proto.SignatureDef{MethodName: PredictMethod,
		Inputs: map[string]*for_core_protos_go_proto.TensorInfo{}, Outputs: map[string]*for_core_protos_go_proto.TensorInfo{}}
	for name, o := range s.inputs {
		ti, err := tensorInfo(o)
		if err != nil {
			return nil, err
		}
		d.Inputs[name] = ti
	}
	for name, o := range s.outputs {
		ti, err := tensorInfo(o)
		if err != nil {
			return nil, err
		}
		d.Outputs[name] = ti
	}
	return d, nil
}

// tfSignature is the signature as graft's LoadSavedModel reports one.
func (s *signature) tfSignature() tf.Signature {
	info := func(m map[string]tf.Output) map[string]tf.TensorInfo {
		out := make(map[string]tf.TensorInfo, len(m))
		for name, o := range m {
			out[name] = tf.TensorInfo{Name: tensorName(o), DType: o.DataType(), Shape: o.Shape()}
		}
		return out
	}
	return tf.Signature{Inputs: info(s.inputs), Outputs: info(s.outputs), MethodName: PredictMethod}
}

// Predictor runs the signatures of a model: an exported SavedModel (Load) or a model
// built from a run (Build), whose signatures are the same graph.
type Predictor interface {
	// Signatures are the model's signatures by key, as graft's LoadSavedModel reports them.
	Signatures() map[string]tf.Signature
	// Run runs a signature: one tensor per input name, one per output name back.
	Run(signature string, inputs map[string]*tf.Tensor) (map[string]*tf.Tensor, error)
	// Close releases the session.
	Close() error
}

// runSignature runs sig on inputs in a session: every input must be given and no other.
func runSignature(g *tf.Graph, run func(map[tf.Output]*tf.Tensor, []tf.Output) ([]*tf.Tensor, error),
	key string, sig tf.Signature, inputs map[string]*tf.Tensor) (map[string]*tf.Tensor, error) {
	for name := range inputs {
		if _, ok := sig.Inputs[name]; !ok {
			return nil, fmt.Errorf("export: signature %s has no input %q (inputs: %s)", key, name, strings.Join(slices.Sorted(maps.Keys(sig.Inputs)), ", "))
		}
	}
	feeds := make(map[tf.Output]*tf.Tensor, len(sig.Inputs))
	for name, ti := range sig.Inputs {
		t, ok := inputs[name]
		if !ok {
			return nil, fmt.Errorf("export: signature %s needs input %q", key, name)
		}
		if t.DataType() != ti.DType {
			return nil, fmt.Errorf("export: signature %s: input %q is %v, want %v", key, name, t.DataType(), ti.DType)
		}
		o, err := graphTensor(g, ti.Name)
		if err != nil {
			return nil, err
		}
		feeds[o] = t
	}
	names := slices.Sorted(maps.Keys(sig.Outputs))
	fetches := make([]tf.Output, len(names))
	for i, name := range names {
		o, err := graphTensor(g, sig.Outputs[name].Name)
		if err != nil {
			return nil, err
		}
		fetches[i] = o
	}
	out, err := run(feeds, fetches)
	if err != nil {
		return nil, fmt.Errorf("export: running signature %s: %w", key, tfMessage(err))
	}
	res := make(map[string]*tf.Tensor, len(names))
	for i, name := range names {
		res[name] = out[i]
	}
	return res, nil
}

// graphTensor finds the tensor "op:index" in g.
func graphTensor(g *tf.Graph, name string) (tf.Output, error) {
	opName, idx, ok := strings.Cut(name, ":")
	i := 0
	if ok {
		if _, err := fmt.Sscan(idx, &i); err != nil {
			return tf.Output{}, fmt.Errorf("export: bad tensor name %q", name)
		}
	}
	op := g.Operation(opName)
	if op == nil || i < 0 || i >= op.NumOutputs() {
		return tf.Output{}, fmt.Errorf("export: the graph has no tensor %q", name)
	}
	return op.Output(i), nil
}

// tfMessage drops graft's stack trace and TensorFlow's op context from a session error.
func tfMessage(err error) error {
	msg := err.Error()
	if i := strings.Index(msg, "\n\t [[{{node"); i >= 0 {
		msg = msg[:i]
	}
	if i := strings.Index(msg, " (Stacktrace:"); i >= 0 {
		msg = msg[:i]
	}
	return fmt.Errorf("%s", strings.TrimSpace(msg))
}
