package layers

import (
	"strings"
	"testing"
)

// The helpers set Keras's arguments by key; a wrapper takes a Layer; an inner layer's
// error is the wrapper's.
func TestLayers(t *testing.T) {
	c, err := Conv2D(8, 3, Name("conv")).Config()
	if err != nil {
		t.Fatal(err)
	}
	if c.Type != "Conv2D" || c.Name != "conv" || c.Int("filters") != 8 || c.Pair("kernel_size") != [2]int{3, 3} || c.String("padding") != "valid" {
		t.Errorf("Conv2D(8, 3): %s %q filters %d kernel_size %v padding %q", c.Type, c.Name, c.Int("filters"), c.Pair("kernel_size"), c.String("padding"))
	}
	b, err := New("bidirectional", Arg("layer", LSTM(4))).Config()
	if err != nil {
		t.Fatal(err)
	}
	if w := b.Wrapped(); b.Type != "Bidirectional" || w == nil || w.Type != "LSTM" || w.Int("units") != 4 {
		t.Errorf("Bidirectional(LSTM(4)): %s wrapping %+v", b.Type, w)
	}
	err = New("Bidirectional", Arg("layer", LSTM(0))).Err()
	if err == nil || !strings.Contains(err.Error(), "layer Bidirectional: layer: layer LSTM: units") {
		t.Errorf("a wrapped layer's error: %v", err)
	}
}
