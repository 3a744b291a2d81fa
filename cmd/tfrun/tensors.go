package main

import (
	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun"
)

// describeTensors lists a signature's tensors as "name dtype[shape]", as tfrun export
// prints them, for predict.go's messages. (It goes when predict uses tfrun.Predictor.)
func describeTensors(ts map[string]tf.TensorInfo) string { return joinTensors(tfrun.TensorSpecs(ts)) }
