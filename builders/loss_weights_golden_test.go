package builders

import (
	"math"
	"testing"

	"github.com/tfrun/tfrun/configs"
)

// checkClassWeights checks, for a golden case recorded with Model.fit's class_weight,
// that tfrun turns it into the sample weights Keras's fit derived from the labels
// (data_adapter_utils.class_weight_to_sample_weights): train.class_weight resolved per
// class id (configs.ClassWeight.Weights, 1 for the classes left out), then each example's
// weight looked up by its class id, which tfrun feeds whatever the label mode (a (batch,
// 1) label is that id, a one-hot label's argmax is).
func checkClassWeights(t *testing.T, kc kerasLossCase) {
	t.Helper()
	if kc.ClassWeight == nil {
		return
	}
	k := int(kc.YPredShape[len(kc.YPredShape)-1])
	if k == 1 {
		k = 2 // one sigmoid unit: classes 0 and 1
	}
	perClass, err := configs.ClassWeight(kc.ClassWeight).Weights(nil, k)
	if err != nil {
		t.Fatal(err)
	}
	n := int(kc.YTrueShape[0])
	width := len(kc.YTrue) / n
	for i := range n {
		row := kc.YTrue[i*width : (i+1)*width]
		id := 0
		if width == 1 {
			id = int(math.Round(row[0]))
		} else {
			for j, v := range row {
				if v > row[id] {
					id = j
				}
			}
		}
		if got, want := perClass[id], kc.SampleWeight[i]; float32(got) != float32(want) {
			t.Errorf("example %d (class %d): class_weight gives %g, Keras's fit %g", i, id, got, want)
		}
	}
}
