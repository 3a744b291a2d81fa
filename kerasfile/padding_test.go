package kerasfile

import (
	"reflect"
	"strings"
	"testing"
)

// ZeroPadding2D's padding and Cropping2D's cropping in Keras's forms and Dropout's
// noise_shape with None entries convert; malformed or out-of-range values are problems
// naming the layer, its class and the argument.
func TestConvertPaddingAndNoiseShape(t *testing.T) {
	for _, tc := range []struct {
		name, class string
		cfg         map[string]any
		key         string // the argument converted, or the one the problem names
		want        any    // the converted value; nil for a problem
		msg         string // in the problem
	}{
		{"pad int", "ZeroPadding2D", map[string]any{"padding": 2.0}, "padding", [2][2]int{{2, 2}, {2, 2}}, ""},
		{"pad pair", "ZeroPadding2D", map[string]any{"padding": []any{2.0, 1.0}}, "padding", [2][2]int{{2, 2}, {1, 1}}, ""},
		{"pad pairs", "ZeroPadding2D", map[string]any{"padding": []any{[]any{0.0, 1.0}, []any{0.0, 1.0}}}, "padding", [2][2]int{{0, 1}, {0, 1}}, ""},
		{"pad negative", "ZeroPadding2D", map[string]any{"padding": []any{[]any{0.0, 1.0}, []any{-1.0, 1.0}}}, "padding", nil, "[1]: must be >= 0, got [-1, 1]"},
		{"pad of 3", "ZeroPadding2D", map[string]any{"padding": []any{[]any{0.0, 1.0, 2.0}, []any{0.0, 1.0}}}, "padding", nil, "((top, bottom), (left, right))"},
		{"pad string", "ZeroPadding2D", map[string]any{"padding": "same"}, "padding", nil, "((top, bottom), (left, right))"},
		{"crop pairs", "Cropping2D", map[string]any{"cropping": []any{[]any{1.0, 1.0}, []any{2.0, 2.0}}}, "cropping", [2][2]int{{1, 1}, {2, 2}}, ""},
		{"crop asymmetric", "Cropping2D", map[string]any{"cropping": []any{[]any{0.0, 1.0}, []any{2.0, 0.0}}}, "cropping", [2][2]int{{0, 1}, {2, 0}}, ""},
		{"crop int", "Cropping2D", map[string]any{"cropping": 2.0}, "cropping", [2][2]int{{2, 2}, {2, 2}}, ""},
		{"crop negative", "Cropping2D", map[string]any{"cropping": []any{[]any{0.0, -1.0}, []any{2.0, 0.0}}}, "cropping", nil, "[0]: must be >= 0, got [0, -1]"},
		{"crop string", "Cropping2D", map[string]any{"cropping": "x"}, "cropping", nil, "((top, bottom), (left, right))"},
		{"noise shape", "Dropout", map[string]any{"rate": 0.2, "noise_shape": []any{nil, 1.0, 1.0, 1.0}}, "noise_shape", []int{-1, 1, 1, 1}, ""},
		{"noise shape none", "Dropout", map[string]any{"rate": 0.2, "noise_shape": nil}, "noise_shape", nil, ""},
		{"noise shape string", "Dropout", map[string]any{"rate": 0.2, "noise_shape": []any{nil, "x"}}, "noise_shape", nil, "want a list of integers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &converter{m: &Model{Weights: map[string][]Weight{}}}
			l, ok := c.layer("l", tc.class, tc.cfg, map[string]any{})
			if tc.msg != "" {
				if ok || len(c.problems) != 1 {
					t.Fatalf("ok %v, problems %v; want one problem", ok, c.problems)
				}
				p := c.problems[0]
				if p.Layer != "l" || p.Class != tc.class || p.Arg != tc.key || !strings.Contains(p.Msg, tc.msg) {
					t.Errorf("problem %+v, want one for l (%s) argument %s saying %q", p, tc.class, tc.key, tc.msg)
				}
				return
			}
			if !ok {
				t.Fatalf("problems: %v", c.problems)
			}
			if tc.want == nil {
				if l.Config.Has(tc.key) {
					t.Errorf("%s set, want unset", tc.key)
				}
				return
			}
			if got := l.Config.Args()[tc.key]; !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%s = %v, want %v", tc.key, got, tc.want)
			}
		})
	}
}
