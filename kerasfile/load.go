package kerasfile

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/tfrun/tfrun/internal/hdf5"
)

// Members of a Keras 3 .keras zip.
const (
	configMember   = "config.json"
	metadataMember = "metadata.json"
	weightsMember  = "model.weights.h5"
)

// maxMemberBytes bounds a member of a .keras zip read into memory (model.weights.h5 of a
// large model is large; a zip bomb is larger).
const maxMemberBytes = 4 << 30

// Load reads a Keras model file: a Keras 3 .keras zip, or Keras 2's legacy .h5 (its
// model_config attribute and model_weights group). It returns the model's tfrun config and
// its weights by layer name. A file that cannot be read as such is an error wrapping
// ErrFormat (or the fs error); a model tfrun cannot represent an *Error wrapping
// ErrUnsupported that lists every problem.
func Load(path string) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	head := make([]byte, 8)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte("PK")):
		return loadKeras(path)
	case bytes.HasPrefix(head, []byte("\x89HDF\r\n\x1a\n")):
		return loadLegacy(path)
	}
	if strings.HasSuffix(path, ".keras") {
		return nil, formatError(path, "not a zip file (a .keras file is a zip of %s, %s and %s)", configMember, metadataMember, weightsMember)
	}
	return nil, formatError(path, "neither a .keras zip nor an HDF5 (.h5) file")
}

// loadKeras reads a Keras 3 .keras zip.
func loadKeras(path string) (*Model, error) {
	z, err := zip.OpenReader(path)
	if err != nil {
		return nil, formatError(path, "not a readable zip: %v", err)
	}
	defer z.Close()
	members := map[string]*zip.File{}
	for _, f := range z.File {
		members[f.Name] = f
	}
	read := func(name string) ([]byte, error) {
		f, ok := members[name]
		if !ok {
			var have []string
			for n := range members {
				have = append(have, n)
			}
			sort.Strings(have)
			return nil, formatError(path, "no %s in the zip (it holds %s): not a Keras 3 .keras file", name, strings.Join(have, ", "))
		}
		if f.UncompressedSize64 > maxMemberBytes {
			return nil, formatError(path, "%s: %d bytes, more than the %d read", name, f.UncompressedSize64, maxMemberBytes)
		}
		r, err := f.Open()
		if err != nil {
			return nil, formatError(path, "%s: %v", name, err)
		}
		defer r.Close()
		b, err := io.ReadAll(io.LimitReader(r, maxMemberBytes))
		if err != nil {
			return nil, formatError(path, "%s: %v", name, err)
		}
		return b, nil
	}
	cfgBytes, err := read(configMember)
	if err != nil {
		return nil, err
	}
	var raw map[string]any
	if err := json.Unmarshal(cfgBytes, &raw); err != nil {
		return nil, formatError(path, "%s: %v", configMember, err)
	}
	m := &Model{File: path, Weights: map[string][]Weight{}}
	if meta, err := read(metadataMember); err == nil {
		var md struct {
			KerasVersion string `json:"keras_version"`
		}
		if json.Unmarshal(meta, &md) == nil {
			m.KerasVersion = md.KerasVersion
		}
	}
	c := &converter{m: m}
	c.model(raw)
	if len(c.problems) > 0 {
		return nil, &Error{File: path, Problems: c.problems}
	}
	wb, err := read(weightsMember)
	if err != nil {
		return nil, err
	}
	h, err := hdf5.OpenReader(bytes.NewReader(wb), int64(len(wb)))
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", path, weightsMember, wrapFormat(err))
	}
	defer h.Close()
	if err := readWeights(m, h.Root(), raw); err != nil {
		return nil, fmt.Errorf("%s: %s: %w", path, weightsMember, err)
	}
	return m, nil
}

// wrapFormat makes an HDF5 error also wrap ErrFormat.
func wrapFormat(err error) error {
	if errors.Is(err, ErrFormat) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrFormat, err)
}

// readWeights reads a .keras file's model.weights.h5 for the layers of its config.
func readWeights(m *Model, root *hdf5.Group, raw map[string]any) error {
	cfg, _ := raw["config"].(map[string]any)
	layers, _ := cfg["layers"].([]any)
	var refs []LayerRef
	for _, item := range layers {
		l, _ := item.(map[string]any)
		class, _ := l["class_name"].(string)
		if class == "InputLayer" {
			continue
		}
		lc, _ := l["config"].(map[string]any)
		name, _ := lc["name"].(string)
		if n, ok := l["name"].(string); ok {
			name = n
		}
		refs = append(refs, LayerRef{Name: name, Class: class})
	}
	return keras3Weights(root, refs, m.Weights)
}

// subgroupOrder orders a layer's sublayer groups as Keras orders their weights.
var subgroupOrder = []string{"vars", "cell", "forward_layer", "backward_layer", "layer",
	"query_dense", "key_dense", "value_dense", "output_dense"}

// groupWeights reads the datasets of a layer's group: vars/<i> in numeric order, then its
// sublayers'.
func groupWeights(g *hdf5.Group, depth int) ([]Weight, error) {
	if depth > 8 {
		return nil, fmt.Errorf("%w: %s: layers nested too deep", ErrFormat, g.Path())
	}
	children, err := g.Children()
	if err != nil {
		return nil, wrapFormat(err)
	}
	slices.SortStableFunc(children, func(a, b string) int {
		ia, ib := slices.Index(subgroupOrder, a), slices.Index(subgroupOrder, b)
		if ia < 0 {
			ia = len(subgroupOrder)
		}
		if ib < 0 {
			ib = len(subgroupOrder)
		}
		if ia != ib {
			return ia - ib
		}
		na, ea := strconv.Atoi(a)
		nb, eb := strconv.Atoi(b)
		if ea == nil && eb == nil {
			return na - nb
		}
		return strings.Compare(a, b)
	})
	var out []Weight
	for _, name := range children {
		if name == "seed_generator" || strings.HasPrefix(name, "seed_generator_") {
			continue // a random layer's generator state, not a weight
		}
		o, err := g.Child(name)
		if err != nil {
			return nil, wrapFormat(err)
		}
		switch x := o.(type) {
		case *hdf5.Group:
			ws, err := groupWeights(x, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, ws...)
		case *hdf5.Dataset:
			w, err := readWeight(x)
			if err != nil {
				return nil, err
			}
			out = append(out, w)
		}
	}
	return out, nil
}

// readWeight reads one weight array as float32.
func readWeight(ds *hdf5.Dataset) (Weight, error) {
	v, err := ds.Float32s()
	if err != nil {
		return Weight{}, wrapFormat(err)
	}
	return Weight{Path: ds.Path(), Shape: slices.Clone(ds.Shape()), Values: v}, nil
}
