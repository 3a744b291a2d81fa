package configs

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"reflect"
)

// fingerprintVersion changes whenever the canonical form below changes.
const fingerprintVersion = 1

// Fingerprint returns the hex SHA-256 of ModelDefinition: what defines the model's
// variables and inputs. Training settings (epochs, batch size, optimizer, callbacks,
// checkpointing, seed, name) do not count, so a checkpoint can be resumed under a config
// that only trains differently.
func (c *Config) Fingerprint() string {
	sum := sha256.Sum256(c.ModelDefinition())
	return hex.EncodeToString(sum[:])
}

// ModelDefinition returns the canonical JSON (sorted keys, no spaces) that Fingerprint
// hashes: the task, the data (dataset, num_words, maxlen), every layer with every argument
// of its type (defaults included, so spelling a default out changes nothing; an LSTM's
// implementation, a Form argument, left out), and for a
// GAN noise_dim, num_classes and both networks. Checkpoints keep it so that a mismatch can
// be explained setting by setting.
func (c *Config) ModelDefinition() []byte {
	data := map[string]any{"dataset": c.Data.Dataset}
	if c.Data.Dataset == DatasetIMDB {
		data["num_words"] = c.Data.NumWords
		data["maxlen"] = c.Data.Maxlen
	}
	if d := c.Data; d.Own() {
		// What the model's input and labels are, not where the files are: a run can
		// be resumed from a moved folder.
		data["format"] = d.Format
		data["class_names"] = d.ClassNames
		switch d.Format {
		case FormatTextDirectory:
			data["num_words"], data["maxlen"] = d.NumWords, d.Maxlen
		case FormatImageDirectory:
			data["image_size"], data["color_mode"] = d.ImageSizeOrDefault(), d.ColorModeOrDefault()
			data["crop_to_aspect_ratio"], data["scale"] = d.CropToAspectRatio, d.ScaleFor(c.Task)
		case FormatCSV:
			data["label"], data["feature_columns"], data["normalize"] = d.Label.canonical(), d.FeatureColumns, d.NormalizeOrDefault()
			if len(d.Inputs) > 0 || len(d.Outputs) > 0 { // only then: older configs keep their fingerprints
				data["inputs"], data["outputs"] = canonicalDataIO(d)
			}
		}
	}
	doc := map[string]any{
		"fingerprint_version": fingerprintVersion,
		"task":                c.Task,
		"data":                data,
	}
	if c.Section != nil {
		for key, v := range c.Section.ModelDefinition() {
			doc[key] = v
		}
	}
	b, err := json.Marshal(doc) // maps marshal with sorted keys
	if err != nil {
		panic("configs: fingerprint: " + err.Error()) // unreachable: ints, floats, strings, bools
	}
	return b
}

// canonicalModel is a Sequential model's layers (as they always were), or a functional
// model's inputs, layers and outputs.
func canonicalModel(m *Model) any {
	if !m.Functional() {
		return canonicalLayers(m.withFrozen())
	}
	inputs := map[string]any{}
	for _, in := range m.Inputs {
		inputs[in.Name] = map[string]any{"shape": in.Shape, "dtype": in.DType}
	}
	// A call left out is the previous tensor's, spelt out, as every default is.
	layers := m.withFrozen()
	names := defaultLayerNames(layers)
	prev := ""
	if len(m.Inputs) == 1 {
		prev = m.Inputs[0].Name
	}
	for i := range layers {
		if len(layers[i].Call) == 0 && prev != "" {
			layers[i].Call = []string{prev}
		}
		prev = names[i]
	}
	outputs := m.Outputs
	if len(outputs) == 0 && len(names) > 0 {
		outputs = names[len(names)-1:]
	}
	return map[string]any{"inputs": inputs, "layers": canonicalLayers(layers), "outputs": outputs}
}

func canonicalLayers(ls []Layer) []map[string]any {
	out := make([]map[string]any, len(ls))
	for i := range ls {
		out[i] = canonicalLayer(&ls[i])
	}
	return out
}

// canonicalLayer returns the layer's type, name if set, and its type's arguments (a nested
// layer as its own canonical form), so adding a layer type leaves existing fingerprints
// alone. An argument marked Later (added to a type after fingerprints were first taken) is
// left out at its default (an Optional one when unset), so adding one leaves them alone
// too. A symmetric KindPadding is the [h, w] pair it was before asymmetric padding.
func canonicalLayer(l *Layer) map[string]any {
	m := map[string]any{"type": l.Type}
	if l.Name != "" {
		m["name"] = l.Name
	}
	if len(l.Call) > 0 { // a functional model's (Sequential layers have none)
		m["call"] = l.Call
	}
	if l.Reuse != "" {
		m["reuse"] = l.Reuse
	}
	if l.Frozen { // only then: a trainable layer's fingerprint is as it always was
		m["trainable"] = false
	}
	spec := l.Spec()
	if spec == nil {
		return m
	}
	for _, a := range spec.Args {
		v, _ := l.value(a)
		if a.Form || a.Later && a.Optional && v == nil {
			continue
		}
		if p, ok := v.([2][2]int); ok && p[0][0] == p[0][1] && p[1][0] == p[1][1] {
			v = [2]int{p[0][0], p[1][0]}
		}
		if a.Later && a.Default != nil {
			if def, _ := convertArg(a, a.Default); reflect.DeepEqual(def, v) {
				continue
			}
		}
		if inner, ok := v.(*Layer); ok && inner != nil {
			m[a.Key] = canonicalLayer(inner)
			continue
		}
		m[a.Key] = v
	}
	return m
}
