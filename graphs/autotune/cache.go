package autotune

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/tfrun/tfrun/internal/atomicfile"
)

// cacheFormat tags the cache files of this version. Version 2 added tfrun's own filter
// gradient kernel (graphs.FormOwnKernel) to a convolution's candidates; version 3 the
// LSTM's cell_kernel_split forms, and it measures the bfloat16 LSTM forms again, whose
// cell kernels ran in SSE2 before (session 18); version 4 measures the convolutions again,
// since tfrun's own filter gradient kernels became faster, and version 5 adds tfrun's own
// input gradient kernel to the input gradients' candidates (both session 20); version 6
// measures the convolutions again, since tfrun's filter gradient kernels became 1.3–2.8×
// faster with 1 to 4 input channels (session 21).
const cacheFormat = "tfrun-autotune-6"

// olderFormats are the cache formats of earlier tfruns. Their winners were measured among
// fewer or slower candidates, so a file of one is dropped without a warning (an upgrade is
// not a fault) and rewritten: the forms it names are measured again, the new ones with them.
var olderFormats = []string{"tfrun-autotune-1", "tfrun-autotune-2", "tfrun-autotune-3", "tfrun-autotune-4", "tfrun-autotune-5"}

// DefaultCacheDir is where the winners are kept: CacheDirEnvVar, else
// os.UserCacheDir()/tfrun/autotune ($XDG_CACHE_HOME or ~/.cache on Linux,
// ~/Library/Caches on macOS).
func DefaultCacheDir() (string, error) {
	if d := os.Getenv(CacheDirEnvVar); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "tfrun", "autotune"), nil
}

// cacheFile is the JSON of one machine's cache file.
type cacheFile struct {
	Format  string            `json:"format"`
	Machine Machine           `json:"machine"`
	Winners map[string]string `json:"winners"` // graphs.Autotune key → form
}

// Cache is one machine's winners (graphs.KernelCache), in the file <dir>/<Machine.ID>.json.
// A file that cannot be read, or was written for another machine, is ignored with a
// warning and replaced on Save.
type Cache struct {
	path    string
	machine Machine
	warn    func(string)

	mu      sync.Mutex
	winners map[string]string
	added   map[string]string // stored since opening: what Save writes
}

// OpenCache reads the cache of machine m in dir (none yet: an empty cache).
func OpenCache(dir string, m Machine, warn func(string)) *Cache {
	c := &Cache{path: filepath.Join(dir, m.ID()+".json"), machine: m, warn: warn, added: map[string]string{}}
	c.winners, _ = c.read(true)
	return c
}

// Path is the cache's file.
func (c *Cache) Path() string { return c.path }

// read returns the file's winners; an unreadable file is reported (when report) and gives
// none.
func (c *Cache) read(report bool) (map[string]string, error) {
	b, err := os.ReadFile(c.path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, nil
	}
	var f cacheFile
	if err == nil {
		err = json.Unmarshal(b, &f)
	}
	if err == nil && slices.Contains(olderFormats, f.Format) {
		return map[string]string{}, nil
	}
	if err == nil && f.Format != cacheFormat {
		err = fmt.Errorf("format %q, want %q", f.Format, cacheFormat)
	}
	if err == nil && f.Machine != c.machine {
		err = fmt.Errorf("written for machine %+v, not this one (%+v)", f.Machine, c.machine)
	}
	if err != nil {
		if report && c.warn != nil {
			c.warn(fmt.Sprintf("autotune cache %s: %v: ignored, it will be rewritten", c.path, err))
		}
		return map[string]string{}, err
	}
	if f.Winners == nil {
		f.Winners = map[string]string{}
	}
	return f.Winners, nil
}

// Load returns the winner of key.
func (c *Cache) Load(key string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	form, ok := c.winners[key]
	return form, ok
}

// Store records the winner of key (Save writes it).
func (c *Cache) Store(key, form string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.winners[key] = form
	c.added[key] = form
}

// Save writes the winners stored since opening into the file, atomically, merged with
// what other runs wrote meanwhile (a corrupt file is replaced). Nothing stored: nothing
// written, unless the file was unreadable when opened.
func (c *Cache) Save() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	current, err := c.read(false)
	if len(c.added) == 0 && err == nil {
		return nil
	}
	for k, v := range c.added {
		current[k] = v
	}
	b, err := json.MarshalIndent(cacheFile{Format: cacheFormat, Machine: c.machine, Winners: current}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(c.path), 0o755); err != nil {
		return fmt.Errorf("autotune cache: %w", err)
	}
	if err := atomicfile.WriteFile(c.path, append(b, '\n')); err != nil {
		return fmt.Errorf("autotune cache: %w", err)
	}
	c.added = map[string]string{}
	c.winners = current
	return nil
}
