package lstmkernel_test

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// Every row function of the cell kernels is marked tfrun_vectorized (GCC's target_clones:
// AVX-512 and AVX2 copies chosen at load time). The C files compile for the baseline
// x86-64, so a kernel without the mark runs in SSE2: the bfloat16 forward kernel once did,
// and took 94 ms of a 200-step imdb_tuned training step where the float32 one took 21
// (session 18).
func TestKernelsAreVectorized(t *testing.T) {
	files, err := filepath.Glob("*.c")
	if err != nil {
		t.Fatal(err)
	}
	def := regexp.MustCompile(`(?m)^((?:\w+ )*)(?:int|void) (tfrun_lstm_cell_(?:forward|backward)_\w+)\(`)
	marked := regexp.MustCompile(`\btfrun_vectorized\b`)
	found := map[string]bool{}
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range def.FindAllSubmatch(src, -1) {
			name := string(m[2])
			found[name] = true
			if !marked.Match(m[1]) {
				t.Errorf("%s: %s is not marked tfrun_vectorized: it would run in baseline SSE2", file, name)
			}
		}
	}
	for _, fn := range []string{
		"tfrun_lstm_cell_forward_f32", "tfrun_lstm_cell_forward_bf16",
		"tfrun_lstm_cell_backward_f32", "tfrun_lstm_cell_backward_bf16",
	} {
		if !found[fn] {
			t.Errorf("no definition of %s in %v", fn, files)
		}
	}
}
