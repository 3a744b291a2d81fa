package graphs

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// FormSum is a convolution's bias gradient as a Sum of dy over every axis but the last,
// where TensorFlow's gradient of BiasAdd is BiasAddGrad (Conv2DBias).
const FormSum = "sum"

// Conv2DBias is Conv2D(x, filter) (Scope.Conv2D) plus bias, BiasAdd over the last axis,
// with the bias gradient in the form Autotune chooses: FormTensorFlow, BiasAdd's
// registered gradient (BiasAddGrad), or FormSum, the same sum computed by a Sum.
//
// The reason is oneDNN: with it on (TensorFlow 2.18's default on x86), the graph rewrite
// turns a BiasAddGrad and the Conv2DBackpropFilter that reads the same dy into one
// _MklNativeConv2DBackpropFilterWithBias, and on an AMD Zen 5 that op ran slower than the
// two apart: x[256,28,28,1] filter[5,5,1,64] stride 2, 11.6 ms against 2.4 for the filter
// gradient and a Sum; x[256,14,14,64] filter[5,5,64,128], 33.6 against 31.1. A Sum is not
// BiasAddGrad, so the fusion does not form. Timed as convBiasTrial times them (the
// layer's forward too, 2 threads), dcgan_mnist's first conv took 3.9–4.6 ms with the Sum
// against 5.7–8.2 fused, its second 26–29 against 27–30 (close: either may win a
// measurement); with the same convolution forms the whole float32 step of dcgan_mnist ran
// 3–7% faster with both Sums, dcgan_cifar's 2–9% (docs/guide/autotune.md). With oneDNN
// off the two forms time within a few percent. Elsewhere (another CPU, another
// TensorFlow) the fused op may win, so the forms are measured rather than fixed.
//
// Only a Conv2D's BiasAddGrad can be fused so: a Conv1D's filter gradient reads dy
// reshaped to 4-D, a Conv2DTranspose's reads the layer's input, not dy.
//
// The choice (key "BiasAddGrad float32 x[...] filter[...] dy[...] strides[...] SAME") is
// offered in float32 and float64 with static shapes, on a CPU. Without an Autotune, with
// autotuning off or keeping to the fixed rules it is FormTensorFlow, so such graphs are
// those of a plain BiasAdd. bfloat16 and float16 on a CPU always take FormSum, nothing
// measured: TensorFlow's CPU BiasAddGrad sums them in 16 bits, far from the true sum
// (Scope.BiasAdd).
func (s *Scope) Conv2DBias(x, filter, bias tf.Output, strides [2]int, padding string) tf.Output {
	if !s.Ok(x, filter, bias) {
		return tf.Output{}
	}
	y := s.Conv2D(x, filter, strides, padding)
	if !s.Ok(y) {
		return tf.Output{}
	}
	form := FormTensorFlow
	if sumsIn16Bits(s.g.platform, y.DataType()) {
		form = FormSum
	} else if p, ok := newConvProblem(x, filter, strides, padding); ok {
		form = s.g.convBiasForm(p)
	}
	return s.biasAdd(form, y, bias)
}

// biasAdd is BiasAdd(y, bias) with the bias gradient in form (FormTensorFlow or
// FormSum).
func (s *Scope) biasAdd(form string, y, bias tf.Output) tf.Output {
	if form != FormSum {
		return op.BiasAdd(s.Op("BiasAdd"), y, bias)
	}
	axes := make([]int32, y.Shape().NumDimensions()-1)
	for i := range axes {
		axes[i] = int32(i)
	}
	return s.CustomGradient("BiasAdd", []tf.Output{y, bias}, func(c *Scope, cut []tf.Output) []tf.Output {
		return []tf.Output{op.BiasAdd(c.Op("BiasAdd"), cut[0], cut[1])}
	}, func(c *Scope, d []tf.Output) []tf.Output {
		return []tf.Output{d[0], op.Sum(c.Op("Sum"), d[0], c.Const(axes))}
	})[0]
}

// newConvProblem is the convProblem of Conv2D(x, filter), or false when its shapes are not
// static (but the batch) or its padding is neither SAME nor VALID.
func newConvProblem(x, filter tf.Output, strides [2]int, padding string) (convProblem, bool) {
	xs, okX := staticShape(x, 4)
	fs, okF := staticShape(filter, 4)
	if !okX || !okF || (padding != "SAME" && padding != "VALID") {
		return convProblem{}, false
	}
	p := convProblem{x: xs, filter: fs, strides: strides, padding: padding, dtype: filter.DataType()}
	p.dy = []int64{xs[0], convOut(xs[1], fs[0], strides[0], padding), convOut(xs[2], fs[1], strides[1], padding), fs[3]}
	return p, true
}

// convBiasForm chooses the form of the problem's bias gradient (Conv2DBias).
func (g *Graph) convBiasForm(p convProblem) string {
	if g.platform.GPU() || (p.dtype != tf.Float && p.dtype != tf.Double) {
		return FormTensorFlow
	}
	batch := p.x[0]
	if batch < 0 && g.autotune != nil && g.autotune.Batch > 0 {
		batch = int64(g.autotune.Batch)
	}
	var t trialMaker
	if batch > 0 {
		t = func(form string) (Trial, error) { return g.convBiasTrial(p, batch, form) }
	}
	return g.choose(p.key("BiasAddGrad", batch), []string{FormTensorFlow, FormSum}, FormTensorFlow, FormTensorFlow, t)
}

// convBiasTrial builds one form of the problem's bias gradient to be timed: what a
// training step runs of the layer, Conv2D and BiasAdd, and the gradients of Σ y·dy for
// the filter and the bias (the input's gradient reads dy too but is not fused, and is the
// same in both forms). The fusion is between the filter gradient and the bias gradient,
// so the scratch graph's convolution takes the forms g's took for it (its Conv2D is built
// before its bias, and g's Autotune holds those choices): with the batch-contracted filter
// gradient there is no Conv2DBackpropFilter to fuse with, and the two forms time alike.
func (g *Graph) convBiasTrial(p convProblem, batch int64, form string) (Trial, error) {
	a := g.autotune
	convForms := a.Forms()
	withBatch := func(v []int64) []int64 { return append([]int64{batch}, v[1:]...) }
	shapes := [][]int64{withBatch(p.x), p.filter, {p.filter[3]}, withBatch(p.dy)}
	return newScratch(g.platform, a.SessionOf(form), p.dtype, shapes, func(s *Scope, in []tf.Output) []tf.Output {
		s.g.autotune = &Autotune{Resumed: convForms, Rules: true}
		y := s.biasAdd(form, s.Conv2D(in[0], in[1], p.strides, p.padding), in[2])
		loss := op.Sum(s.Op("loss"), op.Mul(s.Op("Mul"), y, in[3]), s.Const([]int32{0, 1, 2, 3}))
		grads, err := s.Gradients(loss, []tf.Output{in[1], in[2]})
		if err != nil {
			s.Fail("graphs: the bias gradient's trial: %v", err)
			return nil
		}
		return grads
	}, 0)
}
