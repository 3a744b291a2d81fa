package autotune

import (
	"encoding/json"
	"path/filepath"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/internal/atomicfile"
)

// record is the JSON of RecordFile.
type record struct {
	// Mode is "on", "off" or "rules".
	Mode    string                `json:"mode"`
	Machine Machine               `json:"machine"`
	Cache   string                `json:"cache,omitempty"` // the cache file (mode on)
	Choices []graphs.KernelChoice `json:"choices"`
}

// String is the mode as EnvVar and the record spell it.
func (m Mode) String() string {
	switch m {
	case On:
		return "on"
	case Off:
		return "off"
	}
	return "rules"
}

// WriteRecord writes RecordFile into dir: the mode, the machine and every choice made so
// far, with where it came from and, for a measured one, each form's time.
func (t *Tuner) WriteRecord(dir string) error {
	r := record{Mode: t.Mode.String(), Machine: t.Machine, Choices: t.Choices()}
	if t.cache != nil {
		r.Cache = t.cache.Path()
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, RecordFile), append(b, '\n'))
}
