package kerasfile

import (
	"reflect"
	"sort"
	"strings"
)

// metaKeys are the keys of a Keras layer config that are not arguments of its computation.
var metaKeys = map[string]bool{"name": true, "dtype": true, "batch_input_shape": true, "batch_shape": true, "trainable": true}

// neutrals are values of Keras arguments tfrun does not take that compute what tfrun's
// layer computes (Keras's defaults, mostly); nil matches any value. Besides these, None
// and false are neutral: Keras turns a feature off with them.
var neutrals = map[string][]any{
	"data_format":      {"channels_last"},
	"dilation_rate":    {1.0, []any{1.0}, []any{1.0, 1.0}},
	"groups":           {1.0},
	"seed":             nil, // a random layer's seed: tfrun draws from the run's seed
	"renorm_momentum":  nil, // only with renorm
	"implementation":   nil, // an RNN's kernel choice: the same function
	"use_cudnn":        nil,
	"input_length":     nil, // Keras 2 Embedding: the input's length, known from the shape
	"reset_after":      {true},
	"autocast":         {true},
	"unit_forget_bias": nil, // an LSTM bias initializer: the weights replace it
}

// neutral reports whether argument key = v of a layer of class, which tfrun's layer does
// not take, computes what tfrun computes. rank is the layer's input rank with the batch
// axis (-1 unknown): BatchNormalization's axis may name the last axis.
func neutral(class, key string, v any, rank int) bool {
	if v == nil || v == false {
		return true
	}
	if key == "axis" && class == "BatchNormalization" {
		switch x := v.(type) {
		case float64:
			return x == -1 || (rank > 0 && int(x) == rank-1)
		case []any:
			if len(x) == 1 {
				f, _ := x[0].(float64)
				return f == -1 || (rank > 0 && int(f) == rank-1)
			}
		}
		return false
	}
	vals, ok := neutrals[key]
	if !ok {
		return false
	}
	if vals == nil {
		return true
	}
	for _, n := range vals {
		if reflect.DeepEqual(n, v) {
			return true
		}
	}
	return false
}

// neutralDoc says which values of a key tfrun implements, for a problem's message.
func neutralDoc(key string) string {
	vals, ok := neutrals[key]
	if key == "axis" {
		return "the last axis"
	}
	if !ok || vals == nil {
		return "its absence (None or false)"
	}
	var s []string
	for _, v := range vals {
		s = append(s, jsonValue(v))
	}
	sort.Strings(s)
	return strings.Join(s, " or ")
}

// automaticBackward reports whether Bidirectional's backward_layer is the copy Keras makes
// of its layer when none is given: Keras 3 saves that copy in every Bidirectional's config.
// It is the same class with the same config, but for its name and go_backwards flipped
// (shared_object_id and build_config, which tie the file's objects together, aside).
// tfrun's Bidirectional computes exactly that backward layer.
func automaticBackward(layer, backward any) bool {
	l, ok1 := layer.(map[string]any)
	b, ok2 := backward.(map[string]any)
	if !ok1 || !ok2 || l["class_name"] != b["class_name"] {
		return false
	}
	lc, ok1 := l["config"].(map[string]any)
	bc, ok2 := b["config"].(map[string]any)
	if !ok1 || !ok2 {
		return false
	}
	lg, _ := lc["go_backwards"].(bool)
	bg, _ := bc["go_backwards"].(bool)
	if lg == bg {
		return false
	}
	strip := func(c map[string]any) any {
		out := map[string]any{}
		for k, v := range c {
			if k != "name" && k != "go_backwards" {
				out[k] = withoutSharing(v)
			}
		}
		return out
	}
	return reflect.DeepEqual(strip(lc), strip(bc))
}

// withoutSharing is a serialized value without the keys that tie objects of one file
// together: shared_object_id and build_config.
func withoutSharing(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if k != "shared_object_id" && k != "build_config" {
				out[k] = withoutSharing(e)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = withoutSharing(e)
		}
		return out
	}
	return v
}
