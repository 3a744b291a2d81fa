package export

// #cgo LDFLAGS: -ltensorflow
// #include "tensorflow/c/c_api.h"
import "C"

import (
	"fmt"
	"maps"
	"slices"
	"sync"
	"unsafe"

	"github.com/wamuir/graft/tensorflow/core/framework/graph_go_proto"
	"github.com/wamuir/graft/tensorflow/core/framework/op_def_go_proto"
	"google.golang.org/protobuf/proto"

	"github.com/tfrun/tfrun/graphs"
)

// opDefs are the definitions of every op this libtensorflow registers (TF_GetAllOpList),
// read once.
var opDefs = sync.OnceValues(func() (map[string]*op_def_go_proto.OpDef, error) {
	buf := C.TF_GetAllOpList()
	defer C.TF_DeleteBuffer(buf)
	var list op_def_go_proto.OpList
	if err := proto.Unmarshal(C.GoBytes(unsafe.Pointer(buf.data), C.int(buf.length)), &list); err != nil {
		return nil, fmt.Errorf("export: reading TensorFlow's op list: %w", err)
	}
	defs := make(map[string]*op_def_go_proto.OpDef, len(list.Op))
	for _, d := range list.Op {
		defs[d.Name] = d
	}
	return defs, nil
})

// stripDefaultAttrs removes from every node the attributes whose value is their op's
// default, and returns the definitions of the ops the graph uses without their
// documentation: what Python's SavedModel writer does (strip_default_attrs and
// meta_info_def.stripped_op_list). A consumer built from an older TensorFlow then reads
// the graph as long as it knows the ops, even when this version added attributes to them.
func stripDefaultAttrs(g *graph_go_proto.GraphDef) (*op_def_go_proto.OpList, error) {
	defs, err := opDefs()
	if err != nil {
		return nil, err
	}
	used := map[string]*op_def_go_proto.OpDef{}
	for _, n := range g.Node {
		if graphs.IsOwnOp(n.Op) {
			return nil, fmt.Errorf("export: node %s: op %s is tfrun's own kernel, which TensorFlow without tfrun (Python, TensorFlow Serving) cannot load", n.Name, n.Op)
		}
		d := defs[n.Op]
		if d == nil {
			return nil, fmt.Errorf("export: node %s: op %s is not registered", n.Name, n.Op)
		}
		for _, a := range d.Attr {
			if v, ok := n.Attr[a.Name]; ok && a.DefaultValue != nil && proto.Equal(v, a.DefaultValue) {
				delete(n.Attr, a.Name)
			}
		}
		used[n.Op] = d
	}
	list := &op_def_go_proto.OpList{}
	for _, name := range slices.Sorted(maps.Keys(used)) {
		d := proto.Clone(used[name]).(*op_def_go_proto.OpDef)
		d.Summary, d.Description = "", ""
		for _, a := range d.InputArg {
			a.Description = ""
		}
		for _, a := range d.OutputArg {
			a.Description = ""
		}
		for _, a := range d.Attr {
			a.Description = ""
		}
		list.Op = append(list.Op, d)
	}
	return list, nil
}
