package configs

import (
	"fmt"
	"slices"
	"strings"
)

// LayerReference renders the registered layer types as the user guide's Markdown reference:
// one row per type with what it computes, its shapes and its arguments with Keras's
// defaults, then the activation and initializer names. docs/guide/layers.md holds it (a
// test keeps the two equal), so the documentation cannot drift from the registry.
func LayerReference() string {
	var b strings.Builder
	b.WriteString("| layer | what it computes | shapes (without the batch axis) | arguments (Keras's defaults) | mask |\n")
	b.WriteString("| --- | --- | --- | --- | --- |\n")
	for _, s := range LayerSpecs() {
		var args []string
		for _, a := range s.Args {
			args = append(args, "`"+a.Key+"` ("+describeArg(a)+")")
		}
		if len(args) == 0 {
			args = []string{"—"}
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", s.Type, cell(s.Doc), cell(s.Shapes), cell(strings.Join(args, ", ")), cell(maskRuleDoc(s.Type)))
	}
	fmt.Fprintf(&b, "\nActivations: %s. Initializers: %s.\n", strings.Join(Activations(), ", "), strings.Join(Initializers(), ", "))
	fmt.Fprintf(&b, "\nRegularizers (`kernel_regularizer`, `bias_regularizer`, `activity_regularizer`): `l1` or `l2` "+
		"(Keras's factor %g), or factors `{l2: 1.0e-4}`, `{l1: 1.0e-5, l2: 1.0e-4}` (Keras's L1L2), optionally with `type:` %s. "+
		"The penalty l1·Σ|x| + l2·Σx² (no ½), the activity one divided by the batch size, is added to the loss and to "+
		"`val_loss`/the test loss, as Keras 3 reports them. A `bias_regularizer` with `use_bias: false` penalizes nothing (as in Keras); "+
		"GAN networks refuse regularizers (their train step minimizes the adversarial losses only).\n",
		regularizerDefault, strings.Join(Regularizers(), ", "))
	return b.String()
}

// describeArg says what an argument takes, default first.
func describeArg(a Arg) string {
	var parts []string
	switch {
	case a.Required && a.Kind == KindLayer:
		parts = append(parts, "required: "+orList(a.Layers))
	case a.Required:
		parts = append(parts, "required")
	case a.DefaultFrom != "":
		parts = append(parts, "= "+a.DefaultFrom)
	case a.Optional:
		parts = append(parts, "None")
	default:
		parts = append(parts, showValue(a.Default))
	}
	only := a.Note != "" && (len(a.Choices) == 1 || len(a.IntChoices) == 1 || len(a.FloatChoices) == 1)
	if only {
		parts[0] += " only"
	}
	named := false // a subset of the activations or initializers listed below the table
	for _, set := range [][]string{Activations(), Initializers()} {
		var missing []string
		for _, name := range set {
			if !slices.Contains(a.Choices, name) {
				missing = append(missing, name)
			}
		}
		if len(a.Choices) > 1 && subset(a.Choices, set) {
			named = true
			if len(missing) > 0 {
				parts = append(parts, "not "+orList(missing))
			}
		}
	}
	if a.Kind == KindString && !only && !named {
		var others []string
		for _, c := range a.Choices {
			if c != a.Default {
				others = append(others, c)
			}
		}
		parts = append(parts, "or "+orList(others))
	}
	if a.Alias != "" {
		parts = append(parts, "alias "+a.Alias)
	}
	return strings.Join(parts, "; ")
}

func subset(xs, of []string) bool {
	for _, x := range xs {
		if !slices.Contains(of, x) {
			return false
		}
	}
	return true
}

func orList(xs []string) string {
	if len(xs) <= 1 {
		return strings.Join(xs, "")
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " or " + xs[len(xs)-1]
}

func showValue(v any) string {
	switch x := v.(type) {
	case [2]int:
		return fmt.Sprintf("[%d, %d]", x[0], x[1])
	case [2][2]int:
		if x[0][0] == x[0][1] && x[1][0] == x[1][1] {
			return fmt.Sprintf("[%d, %d]", x[0][0], x[1][0])
		}
		return fmt.Sprintf("[[%d, %d], [%d, %d]]", x[0][0], x[0][1], x[1][0], x[1][1])
	case float64:
		return fmt.Sprint(x)
	case Regularizer:
		return x.String()
	}
	return fmt.Sprint(v)
}

// cell escapes a Markdown table cell.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
