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
//	Conv2D                input, filter [kh, kw, Cin, Cout] → out: 2·|out|·kh·kw·Cin
//	Conv2DBackpropInput   the forward conv's count, from out_backprop and the filter
//	                      (as the forward op of Conv2DTranspose, from its input and filter)
//	Conv2DBackpropFilter  the forward conv's count, from out_backprop and the filter's shape
//	                      (and so tfrun's own kernel, OpConv2DBackpropFilter)
//	BlockLSTM(V2)         per step one [B, I+U] · [I+U, 4U] product: 2·T·B·(I+U)·4U
//	BlockLSTMGrad(V2)     per step dgates·wᵀ and xhᵀ·dgates: twice the forward count
//
// |out| is the number of elements of the output (N·Ho·Wo·Cout for a convolution); a
// convolution counts every kernel tap, the zeros of SAME padding included, as the
// im2col/GEMM formulation the kernels use does. The LSTM counts follow TensorFlow's
// kernels (tensorflow/core/kernels/rnn/lstm_ops.h: LSTMBlockCellFprop's one GEMM,
// BlockLSTMBprop's two). A Conv2D standing in for a Conv2DBackpropInput (the sub-pixel form,
// conv.go) is counted as the Conv2DBackpropInput would be, under the type Conv2D: its zero
// taps are not work the model asks for.
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
				c = c * sc[0] / sc[1]
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
		"Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter", OpConv2DBackpropFilter,
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
	case "Conv2D", "Conv2DBackpropInput":
		// Conv2D(input, filter) → out; Conv2DBackpropInput(input_sizes, filter, out_backprop).
		f, err := in(1)
		if err != nil {
			return 0, err
		}
		var o []int64
		if n.GetOp() == "Conv2D" {
			o, err = out()
		} else {
			o, err = in(2)
		}
		if err != nil {
			return 0, err
		}
		return convFLOPs(o, f)
	case "Conv2DBackpropFilter", OpConv2DBackpropFilter:
		// Conv2DBackpropFilter(input, filter_sizes, out_backprop) → the filter's gradient;
		// tfrun's kernel takes the filter itself where TensorFlow's takes its shape.
		o, err := in(2)
		if err != nil {
			return 0, err
		}
		f, err := out()
		if err != nil {
			return 0, err
		}
		return convFLOPs(o, f)
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

// convFLOPs is 2·|out|·kh·kw·Cin for a convolution's output (or output gradient) shape and
// its filter's shape [kh, kw, Cin, Cout].
func convFLOPs(out, filter []int64) (int64, error) {
	if len(out) != 4 || len(filter) != 4 {
		return 0, fmt.Errorf("output %v and filter %v: want 4-D", out, filter)
	}
	return 2 * elements(out) * filter[0] * filter[1] * filter[2], nil
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
