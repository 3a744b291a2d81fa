// Package mutate finds the numbers of a YAML run config and rewrites one at a time, for
// the tests that feed every numeric key of the shipped configs impossible values.
package mutate

import (
	"fmt"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Number is one numeric value of a YAML document.
type Number struct {
	// Path is its key path as configs reports keys: lower-case mapping keys joined by
	// ".", list items as [i] (model.layers[1].units, gan.sample_grid[0]).
	Path string
	// Value is the number as written.
	Value string
	node  *yaml.Node
}

// Doc is a parsed YAML document whose numbers can be changed one at a time.
type Doc struct {
	root    yaml.Node
	Numbers []Number
}

// Parse parses a YAML document and lists its integer and float scalars.
func Parse(data []byte) (*Doc, error) {
	d := &Doc{}
	if err := yaml.Unmarshal(data, &d.root); err != nil {
		return nil, err
	}
	d.walk("", &d.root)
	return d, nil
}

func (d *Doc) walk(path string, n *yaml.Node) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			d.walk(path, c)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := strings.ToLower(n.Content[i].Value)
			if path != "" {
				key = path + "." + key
			}
			d.walk(key, n.Content[i+1])
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			d.walk(fmt.Sprintf("%s[%d]", path, i), c)
		}
	case yaml.ScalarNode:
		if n.Tag == "!!int" || n.Tag == "!!float" {
			d.Numbers = append(d.Numbers, Number{Path: path, Value: n.Value, node: n})
		}
	}
}

// With returns the document with number i set to value (an integer literal).
func (d *Doc) With(i int, value string) ([]byte, error) {
	n := d.Numbers[i].node
	old, oldTag, oldStyle := n.Value, n.Tag, n.Style
	n.Value, n.Tag, n.Style = value, "!!int", 0
	defer func() { n.Value, n.Tag, n.Style = old, oldTag, oldStyle }()
	return yaml.Marshal(&d.root)
}
