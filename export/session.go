package export

import (
	"fmt"
	"maps"
	"slices"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

// KindNetwork is a network of a program's own train step (package tfrun's Custom, a GAN's
// generator): its inference inputs and outputs as the program's graph has them.
const KindNetwork = "network"

// FromSession returns the model whose serving_default runs the graph g from inputs to
// outputs (tensors of g, by their names in the signature), with the weights a live
// session holds: those a program trained in sess (package tfrun's custom train step),
// not a run's checkpoint. Write saves the variables the outputs read, at their values
// when it runs. The session stays the caller's: Close does not close it. name names the
// model in the meta graph.
func FromSession(name string, g *graphs.Graph, sess *graphs.Session, inputs, outputs map[string]tf.Output) (*Model, error) {
	if len(inputs) == 0 || len(outputs) == 0 {
		return nil, fmt.Errorf("export: %s: a signature needs inputs and outputs (inputs %v, outputs %v)", name, slices.Sorted(maps.Keys(inputs)), slices.Sorted(maps.Keys(outputs)))
	}
	m := &Model{Config: &configs.Config{Name: name}, Kind: KindNetwork, sigs: map[string]*signature{
		DefaultSignature: {inputs: maps.Clone(inputs), outputs: maps.Clone(outputs)}}}
	m.adopt(g, sess, nil)
	if err := m.addSaver(); err != nil {
		return nil, fmt.Errorf("export: %s: %w", name, err)
	}
	return m, nil
}
