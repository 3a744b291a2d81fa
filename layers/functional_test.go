package layers

import (
	"slices"
	"testing"
)

// Two inputs' branches each name their first Dense "dense"; joined, the second branch's
// becomes dense_1 (with its reuse call and the nodes that name it), as Keras's one
// counter names them; a layer named explicitly keeps its name.
func TestMergeRenamesDefaults(t *testing.T) {
	a, b := Input("a", 2), Input("b", 3)
	da := Dense(4).On(a)
	shared := Dense(4)
	db := shared.On(b)
	db2 := shared.On(db) // a reuse of the second branch's dense
	named := Dense(4, Name("kept")).On(b)
	join := New("Concatenate").On(da, db2, named)
	m, err := Graph([]Node{a, b}, []Node{join})
	if err != nil {
		t.Fatal(err)
	}
	var names, calls []string
	for _, l := range m.Layers {
		names = append(names, l.Name)
		calls = append(calls, l.Call...)
	}
	if want := []string{"dense", "dense_1", "dense_1_call2", "kept", "concatenate"}; !slices.Equal(names, want) {
		t.Errorf("layer names %v, want %v", names, want)
	}
	if want := []string{"a", "b", "dense_1", "b", "dense", "dense_1_call2", "kept"}; !slices.Equal(calls, want) {
		t.Errorf("calls %v, want %v", calls, want)
	}
	if m.Layers[2].Reuse != "dense_1" || db.Name() != "dense_1" || db2.Name() != "dense_1_call2" || da.Name() != "dense" {
		t.Errorf("reuse %q; nodes %q %q %q", m.Layers[2].Reuse, db.Name(), db2.Name(), da.Name())
	}
	if _, err := m.Graph(); err == nil {
		t.Error("two inputs, not fed by name: configs took them")
	}
	m.FeedByName()
	if _, err := m.Graph(); err != nil {
		t.Errorf("configs: %v", err)
	}
}
