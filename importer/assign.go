package importer

import (
	"fmt"
	"slices"
	"strings"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/kerasfile"
)

// AssignWeights sets each of vars (a model's weights, in its layers' order) to the Keras
// weights of its layer, matched by layer name and checked shape by shape, and returns
// the number of values set. A weight of another shape, a layer whose weights are missing
// or extra, is an error wrapping ErrWeights that names the layer and the weight.
func AssignWeights(sess *graphs.Session, vars []*graphs.Variable, m *kerasfile.Model) (int, error) {
	byLayer := map[string][]*graphs.Variable{}
	var order []string
	for _, v := range vars {
		layer := layerOf(v.Name, m)
		if layer == "" {
			return 0, fmt.Errorf("%w: variable %s belongs to no layer of %s", ErrWeights, v.Name, m.File)
		}
		if _, seen := byLayer[layer]; !seen {
			order = append(order, layer)
		}
		byLayer[layer] = append(byLayer[layer], v)
	}
	var set []*graphs.Variable
	var values []*tf.Tensor
	params := 0
	var problems []string
	for _, layer := range order {
		vs, ws := byLayer[layer], m.Weights[layer]
		class := classOf(layer, m)
		ws = skipExtra(class, vs, ws)
		if len(ws) == 0 && len(vs) > 0 {
			problems = append(problems, fmt.Sprintf("layer %q (%s): not in the file%s, tfrun's layer has %d weights (%s)", layer, class, whereFrom(layer, m), len(vs), varList(vs)))
			continue
		}
		if len(ws) != len(vs) {
			problems = append(problems, fmt.Sprintf("layer %q (%s): the file has %d weights (%s), tfrun's layer %d (%s)", layer, class, len(ws), weightList(ws), len(vs), varList(vs)))
			continue
		}
		for i, v := range vs {
			w := ws[i]
			want := make([]int, len(v.Shape))
			for j, d := range v.Shape {
				want[j] = int(d)
			}
			if !slices.Equal(want, w.Shape) {
				problems = append(problems, fmt.Sprintf("layer %q (%s): weight %s is %v in the file, tfrun's %s is %v", layer, class, w.Path, w.Shape, v.Name, want))
				continue
			}
			dims := make([]int64, len(w.Shape))
			for j, d := range w.Shape {
				dims[j] = int64(d)
			}
			var t *tf.Tensor
			var err error
			if v.DType == tf.Int64 { // a count (Normalization's), saved by Keras as float32
				ints := make([]int64, len(w.Values))
				for j, f := range w.Values {
					ints[j] = int64(f)
				}
				t, err = graphs.NewTensor(ints, dims...)
			} else {
				t, err = graphs.NewTensor(w.Values, dims...)
			}
			if err != nil {
				return 0, err
			}
			set, values = append(set, v), append(values, t)
			params += len(w.Values)
		}
	}
	for name, ws := range m.Weights {
		if _, used := byLayer[name]; !used && len(ws) > 0 {
			problems = append(problems, fmt.Sprintf("layer %q: the file has %d weights for it, tfrun's layer has none", name, len(ws)))
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return 0, fmt.Errorf("%s: %w:\n  - %s", m.File, ErrWeights, strings.Join(problems, "\n  - "))
	}
	if err := sess.Set(set, values); err != nil {
		return 0, err
	}
	return params, nil
}

// skipExtra drops the Keras weights tfrun's layer does not hold: Normalization's count.
func skipExtra(class string, vs []*graphs.Variable, ws []kerasfile.Weight) []kerasfile.Weight {
	if class == configs.LayerNormalization && len(ws) == len(vs)+1 && len(ws[len(ws)-1].Shape) == 0 {
		return ws[:len(ws)-1]
	}
	return ws
}

// layerOf is the layer of m a variable belongs to: the longest layer name that prefixes
// its name as a scope ("dense_1/kernel" is dense_1's).
func layerOf(varName string, m *kerasfile.Model) string {
	best := ""
	for _, l := range m.Layers {
		if l.Reuse != "" {
			continue
		}
		for _, prefix := range []string{l.Name + "/"} {
			if (strings.HasPrefix(varName, prefix) || strings.Contains(varName, "/"+prefix)) && len(l.Name) > len(best) {
				best = l.Name
			}
		}
	}
	return best
}

func classOf(layer string, m *kerasfile.Model) string {
	for _, l := range m.Layers {
		if l.Name == layer {
			return l.Class
		}
	}
	return ""
}

func weightList(ws []kerasfile.Weight) string {
	var s []string
	for _, w := range ws {
		s = append(s, fmt.Sprintf("%s %v", w.Path, w.Shape))
	}
	return strings.Join(s, ", ")
}

func varList(vs []*graphs.Variable) string {
	var s []string
	for _, v := range vs {
		s = append(s, fmt.Sprintf("%s %v", v.Name, v.Shape))
	}
	return strings.Join(s, ", ")
}

// whereFrom says where a Keras 3 weights file would hold layer's weights, which it lacks:
// a group named by the layer's class and rank, not by its name (m.WeightGroups).
func whereFrom(layer string, m *kerasfile.Model) string {
	g, ok := m.WeightGroups[layer]
	if !ok {
		return ""
	}
	return fmt.Sprintf(" (a Keras 3 weights file holds a layer's weights by its class and rank, not its name: this one's would be %s; the file has %s)", g, strings.Join(m.FileGroups, ", "))
}
