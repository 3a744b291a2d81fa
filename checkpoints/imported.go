package checkpoints

import "encoding/json"

// ImportedFrom is the Keras file a checkpoint was imported from (tfrun import writes it
// in the checkpoint's state as imported_from), or "" for a checkpoint a run wrote or one
// whose sidecar cannot be read.
func ImportedFrom(prefix string) string {
	sc, err := Inspect(prefix)
	if err != nil || len(sc.State) == 0 {
		return ""
	}
	var st struct {
		ImportedFrom string `json:"imported_from"`
	}
	if json.Unmarshal(sc.State, &st) != nil {
		return ""
	}
	return st.ImportedFrom
}
