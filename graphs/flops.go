package graphs

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/core/framework/graph_go_proto"
	"github.com/wamuir/graft/tensorflow/core/framework/node_def_go_proto"
	"github.com/wamuir/graft/tensorflow/op"
	"google.golang.org/protobuf/proto"
)

// FLOPs is the floating-point work of the matrix products and convolutions one step runs,
// counted from the graph: 2·M·N·K per product of an [M, K] by a [K, N] matrix (one multiply
// and one add per term), and for each of the op types below the products its kernel
// performs. Elementwise ops, reductions, BiasAdd, BatchNormalization, gathers and the
// optimizers' updates are not counted: beside the products they are a few percent of the
// arithmetic, and they run at memory speed, not at the speed of the machine's FMA units.
//
// The counted ops, each with the shapes it is given at run time:
//
//	MatMul                a [M, K] (or [K, M] with transpose_a) · b → [M, N]: 2·M·N·K
//	BatchMatMulV2/V3      the same per batch element: 2·|out|·K
//	Conv2D                input, filter [kh, kw, Cin, Cout] → out: 2·N·Cin·Cout·taps
//	Conv2DBackpropInput   the forward conv's count (as the forward op of Conv2DTranspose too;
//	                      and so tfrun's own kernel, OpConv2DBackpropInput)
//	Conv2DBackpropFilter  the forward conv's count (and so tfrun's own kernel,
//	                      OpConv2DBackpropFilter)
//	BlockLSTM(V2)         per step one [B, I+U] · [I+U, 4U] product: 2·T·B·(I+U)·4U
//	BlockLSTMGrad(V2)     per step dgates·wᵀ and xhᵀ·dgates: twice the forward count
//
// A convolution's taps are the (output position, kernel tap) pairs whose input position is
// inside the input, per spatial axis (convTaps): the taps of SAME padding that fall on its
// zeros are not counted, as the kernels that run here do not compute them. oneDNN's and
// tfrun's own skip them; counted, they made a 7×7 convolution with a 5×5 kernel (the
// DCGAN's first Conv2DTranspose: 69% of its taps inside) run at 653 "GFLOP/s" on two AMD
// Zen 5 cores whose FMA units do 440–488 (bench/fma; session 19, docs/results/benchmark.md).
// A kernel that computes the zeros (an im2col product, or a form that pads its input with
// a Pad op, as causal Conv1D does: its zeros are then inside the input and counted) does
// work this count does not credit. The LSTM
// counts follow TensorFlow's
// kernels (tensorflow/core/kernels/rnn/lstm_ops.h: LSTMBlockCellFprop's one GEMM,
// BlockLSTMBprop's two). A Conv2D standing in for another convolution (the sub-pixel form of
// a Conv2DBackpropInput and the batch-contracted filter gradient, conv.go) is counted as
// the op it replaces would be, under the type Conv2D: its extra taps are not work the
// model asks for.
type FLOPs struct {
	Total  int64            // all counted ops of all runs
	ByType map[string]int64 // per op type
	ByOp   map[string]int64 // per op, by its name in the graph (summed over the runs)
	// Inputs are the data inputs ("name" or "name:index") of each op in ByOp, by which a
	// profile finds the op in a fused op grappler made of it and renamed.
	Inputs map[string][]string
}

// StepRun is one Session.Run of a step: what it fetches and which target ops it runs.
// A step of several runs (the alternating GAN step) is counted run by run and summed.
type StepRun struct {
	Fetches []tf.Output
	Targets []*tf.Operation
}

// CountFLOPs counts the FLOPs of the runs of a step of g (see FLOPs) when each placeholder
// in inputs is fed a tensor of the given shape. Only ops a run executes are counted: those
// its fetches and targets depend on, through data and control edges, as the session
// prunes the graph. Static shapes come from TensorFlow's own shape inference, redone on a
// copy of the graph whose inputs have those shapes; every placeholder a run needs must be
// in inputs, and every counted op's shapes must come out fully known, or CountFLOPs
// fails naming the op.
func CountFLOPs(g *Graph, inputs map[tf.Output][]int64, runs ...StepRun) (FLOPs, error) {
	count := FLOPs{ByType: map[string]int64{}, ByOp: map[string]int64{}, Inputs: map[string][]string{}}
	if err := g.Root().Err(); err != nil {
		return count, err
	}
	var buf bytes.Buffer
	if _, err := g.tfg.WriteTo(&buf); err != nil {
		return count, fmt.Errorf("graphs: counting FLOPs: %w", err)
	}
	def := &graph_go_proto.GraphDef{}
	if err := proto.Unmarshal(buf.Bytes(), def); err != nil {
		return count, fmt.Errorf("graphs: counting FLOPs: reading the GraphDef: %w", err)
	}
	nodes := make(map[string]*node_def_go_proto.NodeDef, len(def.GetNode()))
	for _, n := range def.GetNode() {
		nodes[n.GetName()] = n
	}
	fed := map[string]bool{}
	for in := range inputs {
		fed[in.Op.Name()] = true
	}

	// The ops each run executes; whether any of them is counted at all.
	closures := make([][]string, len(runs))
	counted := false
	for i, r := range runs {
		var roots []string
		for _, f := range r.Fetches {
			roots = append(roots, f.Op.Name())
		}
		for _, t := range r.Targets {
			roots = append(roots, t.Name())
		}
		names, err := closure(nodes, roots)
		if err != nil {
			return count, err
		}
		for _, name := range names {
			n := nodes[name]
			if n.GetOp() == "Placeholder" && !fed[name] {
				return count, fmt.Errorf("graphs: counting FLOPs: placeholder %q is run but has no shape in inputs", name)
			}
			counted = counted || isCounted(n.GetOp())
		}
		closures[i] = names
	}
	if !counted {
		return count, nil
	}

	shapes, err := newShapeOracle(buf.Bytes(), inputs)
	if err != nil {
		return count, err
	}
	for _, names := range closures {
		for _, name := range names {
			n := nodes[name]
			if !isCounted(n.GetOp()) {
				continue
			}
			c, err := opFLOPs(shapes, n)
			if err != nil {
				return count, fmt.Errorf("graphs: counting FLOPs: op %q (%s): %w", name, n.GetOp(), err)
			}
			if sc, ok := g.flopScale[name]; ok {
				// num/den, dividing first: c·num overflows for large convolutions, and den
				// divides the scaled forms' counts exactly (the remainder term is then 0).
				c = c/sc[1]*sc[0] + c%sc[1]*sc[0]/sc[1]
			}
			count.Total += c
			count.ByType[n.GetOp()] += c
			count.ByOp[name] += c
			count.Inputs[name] = throughIdentities(nodes, dataInputs(n))
		}
	}
	return count, nil
}

// dataInputs are n's inputs without its control inputs.
func dataInputs(n *node_def_go_proto.NodeDef) []string {
	var ins []string
	for _, in := range n.GetInput() {
		if !strings.HasPrefix(in, "^") {
			ins = append(ins, in)
		}
	}
	return ins
}

// throughIdentities follows each input back through Identity, IdentityN and StopGradient
// ops (the cut a custom gradient makes, which grappler removes) to the op that computes it.
func throughIdentities(nodes map[string]*node_def_go_proto.NodeDef, ins []string) []string {
	out := make([]string, len(ins))
	for i, in := range ins {
		for range len(nodes) {
			name, index, _ := parseInput(in)
			n := nodes[name]
			if n == nil {
				break
			}
			data := dataInputs(n)
			if (n.GetOp() == "Identity" || n.GetOp() == "StopGradient") && len(data) > 0 {
				in = data[0]
			} else if n.GetOp() == "IdentityN" && index < len(data) {
				in = data[index]
			} else {
				break
			}
		}
		out[i] = in
	}
	return out
}

// closure returns the names of the nodes roots depend on (themselves included), sorted.
func closure(nodes map[string]*node_def_go_proto.NodeDef, roots []string) ([]string, error) {
	seen := map[string]bool{}
	stack := append([]string(nil), roots...)
	for len(stack) > 0 {
		name := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[name] {
			continue
		}
		n, ok := nodes[name]
		if !ok {
			return nil, fmt.Errorf("graphs: counting FLOPs: no op %q in the graph", name)
		}
		seen[name] = true
		for _, in := range n.GetInput() {
			src, _, _ := parseInput(in)
			if !seen[src] {
				stack = append(stack, src)
			}
		}
	}
	names := make([]string, 0, len(seen))
	for name := range seen {
		names = append(names, name)
	}
	sort.Strings(names)
	return names, nil
}

// parseInput splits a NodeDef input ("name", "name:1", "^name") into the producing op,
// the output index and whether it is a control edge.
func parseInput(in string) (name string, index int, control bool) {
	if rest, ok := strings.CutPrefix(in, "^"); ok {
		return rest, -1, true
	}
	if i := strings.LastIndexByte(in, ':'); i >= 0 {
		if n, err := strconv.Atoi(in[i+1:]); err == nil {
			return in[:i], n, false
		}
	}
	return in, 0, false
}

func isCounted(opType string) bool {
	switch opType {
	case "MatMul", "BatchMatMulV2", "BatchMatMulV3",
		"Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter", OpConv2DBackpropFilter, OpConv2DBackpropInput,
		"BlockLSTM", "BlockLSTMV2", "BlockLSTMGrad", "BlockLSTMGradV2":
		return true
	}
	return false
}

// opFLOPs is one counted op's FLOPs (see FLOPs for the formulas).
func opFLOPs(sh *shapeOracle, n *node_def_go_proto.NodeDef) (int64, error) {
	in := func(i int) ([]int64, error) {
		if i >= len(n.GetInput()) {
			return nil, fmt.Errorf("has %d inputs, want more than %d", len(n.GetInput()), i)
		}
		return sh.input(n.GetInput()[i])
	}
	out := func() ([]int64, error) { return sh.output(n.GetName(), 0) }
	attr := func(name string) bool { return n.GetAttr()[name].GetB() }

	switch n.GetOp() {
	case "MatMul":
		a, err := in(0)
		if err != nil {
			return 0, err
		}
		y, err := out()
		if err != nil {
			return 0, err
		}
		if len(a) != 2 || len(y) != 2 {
			return 0, fmt.Errorf("shapes %v → %v are not matrices", a, y)
		}
		k := a[1]
		if attr("transpose_a") {
			k = a[0]
		}
		return 2 * y[0] * y[1] * k, nil
	case "BatchMatMulV2", "BatchMatMulV3":
		a, err := in(0)
		if err != nil {
			return 0, err
		}
		y, err := out()
		if err != nil {
			return 0, err
		}
		if len(a) < 2 {
			return 0, fmt.Errorf("input shape %v has rank < 2", a)
		}
		k := a[len(a)-1]
		if attr("adj_x") {
			k = a[len(a)-2]
		}
		return 2 * elements(y) * k, nil
	case "Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter", OpConv2DBackpropFilter, OpConv2DBackpropInput:
		c, err := convOf(n, in, out)
		if err != nil {
			return 0, err
		}
		return c.flops(), nil
	case "BlockLSTM", "BlockLSTMV2", "BlockLSTMGrad", "BlockLSTMGradV2":
		// (seq_len_max, x [T, B, I], cs_prev, h_prev, w [I+U, 4U], ...)
		x, err := in(1)
		if err != nil {
			return 0, err
		}
		w, err := in(4)
		if err != nil {
			return 0, err
		}
		if len(x) != 3 || len(w) != 2 {
			return 0, fmt.Errorf("x %v and w %v: want [time, batch, input] and [input+units, 4·units]", x, w)
		}
		f := 2 * x[0] * x[1] * w[0] * w[1]
		if strings.HasPrefix(n.GetOp(), "BlockLSTMGrad") {
			f *= 2
		}
		return f, nil
	}
	return 0, fmt.Errorf("not a counted op type")
}

// conv is a forward convolution as a counted op implies it: x [N, H, W, Cin], the filter
// [kh, kw, Cin, Cout] and the output [N, Ho, Wo, Cout], with the strides, dilations and
// padding before the input along height and width.
type conv struct {
	x, filter, out []int64
	strides        [2]int64
	dilations      [2]int64
	padBefore      [2]int64
}

// flops is 2·N·Cin·Cout times the taps inside the input over the output positions, per
// axis (convTaps).
func (c conv) flops() int64 {
	th := convTaps(c.x[1], c.out[1], c.filter[0], c.strides[0], c.dilations[0], c.padBefore[0])
	tw := convTaps(c.x[2], c.out[2], c.filter[1], c.strides[1], c.dilations[1], c.padBefore[1])
	return 2 * c.out[0] * c.filter[2] * c.filter[3] * th * tw
}

// convTaps is, along one axis, the number of (output position, kernel tap) pairs whose
// input position falls inside the input (length in, out positions, kernel k): the taps a
// convolution kernel that skips the padding computes. Without padding it is out·k.
func convTaps(in, out, k, stride, dilation, padBefore int64) int64 {
	var n int64
	for o := range out {
		for j := range k {
			if p := o*stride + j*dilation - padBefore; p >= 0 && p < in {
				n++
			}
		}
	}
	return n
}

// sameTaps is convTaps for padding "SAME" or "VALID" at dilation 1, the padding before the
// input being TensorFlow's (samePadBefore) or none.
func sameTaps(in, out, k, stride int64, padding string) int64 {
	var pad int64
	if padding == "SAME" {
		pad = samePadBefore(in, out, k, stride)
	}
	return convTaps(in, out, k, stride, 1, pad)
}

// convOf is the forward convolution a counted conv op computes or differentiates, from its
// shapes and attributes (data_format NHWC or NCHW; padding SAME, VALID or EXPLICIT).
func convOf(n *node_def_go_proto.NodeDef, in func(int) ([]int64, error), out func() ([]int64, error)) (conv, error) {
	var c conv
	var err error
	shape := func(get func() ([]int64, error)) []int64 {
		if err != nil {
			return nil
		}
		var s []int64
		if s, err = get(); err == nil && len(s) != 4 {
			err = fmt.Errorf("shape %v is not 4-D", s)
		}
		return s
	}
	input := func(i int) func() ([]int64, error) { return func() ([]int64, error) { return in(i) } }
	switch n.GetOp() {
	case "Conv2D": // (input, filter) → output
		c.x, c.filter, c.out = shape(input(0)), shape(input(1)), shape(out)
	case "Conv2DBackpropInput", OpConv2DBackpropInput: // (input_sizes or input_shape, filter, out_backprop) → the input's gradient
		c.x, c.filter, c.out = shape(out), shape(input(1)), shape(input(2))
	case "Conv2DBackpropFilter", OpConv2DBackpropFilter: // (input, filter or its sizes, out_backprop) → the filter's gradient
		c.x, c.filter, c.out = shape(input(0)), shape(out), shape(input(2))
	}
	if err != nil {
		return c, err
	}
	attrs := n.GetAttr()
	if t := n.GetOp(); t == OpConv2DBackpropFilter || t == OpConv2DBackpropInput { // NHWC; strides and the padding before, (height, width)
		st, pads := attrs["strides"].GetList().GetI(), attrs["paddings"].GetList().GetI()
		if len(st) != 2 || len(pads) != 2 {
			return c, fmt.Errorf("strides %v and paddings %v: want (height, width) each", st, pads)
		}
		c.strides, c.padBefore, c.dilations = [2]int64{st[0], st[1]}, [2]int64{pads[0], pads[1]}, [2]int64{1, 1}
		return c, nil
	}
	h, w := 1, 2 // the spatial axes
	if string(attrs["data_format"].GetS()) == "NCHW" {
		h, w = 2, 3
		nhwc := func(s []int64) []int64 { return []int64{s[0], s[2], s[3], s[1]} }
		c.x, c.out = nhwc(c.x), nhwc(c.out)
	}
	st, dil := attrs["strides"].GetList().GetI(), attrs["dilations"].GetList().GetI()
	if len(st) != 4 {
		return c, fmt.Errorf("strides %v: want 4", st)
	}
	c.strides, c.dilations = [2]int64{st[h], st[w]}, [2]int64{1, 1}
	if len(dil) == 4 {
		c.dilations = [2]int64{dil[h], dil[w]}
	}
	switch padding := string(attrs["padding"].GetS()); padding {
	case "VALID":
	case "SAME":
		for i := range 2 {
			k := (c.filter[i]-1)*c.dilations[i] + 1
			c.padBefore[i] = max((c.out[i+1]-1)*c.strides[i]+k-c.x[i+1], 0) / 2
		}
	case "EXPLICIT":
		ep := attrs["explicit_paddings"].GetList().GetI()
		if len(ep) != 8 {
			return c, fmt.Errorf("explicit_paddings %v: want 8", ep)
		}
		c.padBefore = [2]int64{ep[2*h], ep[2*w]}
	default:
		return c, fmt.Errorf("padding %q", padding)
	}
	return c, nil
}

func elements(shape []int64) int64 {
	n := int64(1)
	for _, d := range shape {
		n *= d
	}
	return n
}

// shapeOracle answers static shapes of a graph whose placeholders have been given full
// shapes: a copy of the graph imported with each fed placeholder replaced by one of the
// given shape, so that TensorFlow's shape inference runs again from them.
type shapeOracle struct {
	g      *tf.Graph
	mapped map[string][]int64 // "op:index" of a replaced placeholder → its shape
}

// oraclePrefix is the name scope the copy's ops are imported under.
const oraclePrefix = "counted"

func newShapeOracle(def []byte, inputs map[tf.Output][]int64) (*shapeOracle, error) {
	o := &shapeOracle{g: tf.NewGraph(), mapped: map[string][]int64{}}
	s := op.NewScopeWithGraph(o.g)
	opts := tf.GraphImportOptions{Prefix: oraclePrefix}
	keys := make([]tf.Output, 0, len(inputs))
	for in := range inputs {
		keys = append(keys, in)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		return a.Op.Name() < b.Op.Name() || a.Op.Name() == b.Op.Name() && a.Index < b.Index
	})
	for i, in := range keys {
		shape := inputs[in]
		for _, d := range shape {
			if d < 0 {
				return nil, fmt.Errorf("graphs: counting FLOPs: input %s:%d: shape %v has an unknown dimension", in.Op.Name(), in.Index, shape)
			}
		}
		ph := op.Placeholder(s.SubScope(fmt.Sprint("input_", i)), in.DataType(), op.PlaceholderShape(tf.MakeShape(shape...)))
		if err := s.Err(); err != nil {
			return nil, fmt.Errorf("graphs: counting FLOPs: %w", err)
		}
		opts.AddInputMapping(in.Op.Name(), in.Index, ph)
		o.mapped[fmt.Sprint(in.Op.Name(), ":", in.Index)] = shape
	}
	if err := o.g.ImportWithOptions(def, opts); err != nil {
		return nil, fmt.Errorf("graphs: counting FLOPs: re-inferring shapes: %w", err)
	}
	return o, nil
}

// input is the shape of a NodeDef input ("name:1").
func (o *shapeOracle) input(in string) ([]int64, error) {
	name, index, control := parseInput(in)
	if control {
		return nil, fmt.Errorf("input %q is a control edge", in)
	}
	if shape, ok := o.mapped[fmt.Sprint(name, ":", index)]; ok {
		return shape, nil
	}
	return o.output(name, index)
}

// output is the fully known shape of an op's output in the copy.
func (o *shapeOracle) output(name string, index int) ([]int64, error) {
	p := o.g.Operation(oraclePrefix + "/" + name)
	if p == nil {
		return nil, fmt.Errorf("no op %q in the graph", name)
	}
	if index >= p.NumOutputs() {
		return nil, fmt.Errorf("op %q has no output %d", name, index)
	}
	shape := p.Output(index).Shape()
	if shape.NumDimensions() < 0 {
		return nil, fmt.Errorf("%s:%d has an unknown shape", name, index)
	}
	dims, err := shape.ToSlice()
	if err != nil {
		return nil, fmt.Errorf("%s:%d: %w", name, index, err)
	}
	for _, d := range dims {
		if d < 0 {
			return nil, fmt.Errorf("%s:%d has shape %v with an unknown dimension", name, index, dims)
		}
	}
	return dims, nil
}
