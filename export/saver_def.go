package export

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/core/protobuf/for_core_protos_go_proto"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
)

// variablesPrefix is where a SavedModel's variables bundle lives, relative to its
// directory: variables/variables.index and variables/variables.data-00000-of-00001.
const variablesPrefix = "variables/variables"

// saverOps are the save and restore ops a SaverDef names, for a fixed list of variables
// saved under their own names (the names tfrun's checkpoints use, so the bundle is one
// checkpoints.Saver writes).
type saverOps struct {
	filename tf.Output     // string scalar, fed with <dir>/variables/variables
	save     tf.Output     // the filename, once SaveV2 has run
	restore  *tf.Operation // RestoreV2, then one AssignVariableOp per variable
}

// newSaverOps adds, in scope "save", what TensorFlow 1's tf.train.Saver adds for V2
// checkpoints: a filename tensor (PlaceholderWithDefault "model"), SaveV2 of every
// variable, and "restore_all": RestoreV2 of the bundle followed by AssignVariableOp into
// each variable. TensorFlow's C++ loader feeds the filename with the variables prefix and
// runs restore_all before the init op; Python's load_v1_in_v2 prunes the same path.
func newSaverOps(s *graphs.Scope, vars []*graphs.Variable) *saverOps {
	ss := s.Sub("save")
	names := make([]string, len(vars))
	shapeAndSlices := make([]string, len(vars))
	dtypes := make([]tf.DataType, len(vars))
	values := make([]tf.Output, len(vars))
	for i, v := range vars {
		names[i], dtypes[i], values[i] = v.Name, v.DType, v.Value()
	}
	sv := &saverOps{}
	sv.filename = op.PlaceholderWithDefault(ss.Op("filename"), ss.Const("model"), tf.ScalarShape())
	saveOp := op.SaveV2(ss.Op("SaveV2"), sv.filename, ss.Const(names), ss.Const(shapeAndSlices), values)
	sv.save = op.Identity(ss.WithControlDependencies(saveOp).Op("control_dependency"), sv.filename)
	restored := op.RestoreV2(ss.Op("RestoreV2"), sv.filename, ss.Const(names), ss.Const(shapeAndSlices), dtypes)
	assigns := make([]*tf.Operation, len(vars))
	for i, v := range vars {
		if i < len(restored) {
			assigns[i] = op.AssignVariableOp(ss.Op("AssignVariableOp"), v.Handle(), restored[i])
		}
	}
	sv.restore = op.NoOp(ss.WithControlDependencies(assigns...).Op("restore_all"))
	return sv
}

// def is the SaverDef of the ops (V2 checkpoints, one shard).
func (sv *saverOps) def() *for_core_protos_go_proto.SaverDef {
	return &for_core_protos_go_proto.SaverDef{
		FilenameTensorName:        tensorName(sv.filename),
		SaveTensorName:            tensorName(sv.save),
		RestoreOpName:             sv.restore.Name(),
		MaxToKeep:                 5,
		KeepCheckpointEveryNHours: 10000,
		Version:                   for_core_protos_go_proto.SaverDef_V2,
	}
}
